package disruptor

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// replaceMapping puts private anonymous memory in place of the mapping mem,
// at the same addresses, first filled by fill: it is mapped elsewhere,
// filled, then moved over mem by one mremap, so a concurrent reader sees
// either the old mapping or the filled one. Unmapping mem later unmaps the
// replacement.
func replaceMapping(mem []byte, fill func([]byte)) error {
	n := uintptr(len(mem))
	tmp, err := unix.MmapPtr(-1, 0, nil, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANONYMOUS|unix.MAP_PRIVATE)
	if err != nil {
		return err
	}
	fill(unsafe.Slice((*byte)(tmp), n))
	if _, err := unix.MremapPtr(tmp, n, unsafe.Pointer(&mem[0]), n, unix.MREMAP_FIXED|unix.MREMAP_MAYMOVE); err != nil {
		unix.MunmapPtr(tmp, n)
		return err
	}
	return nil
}
