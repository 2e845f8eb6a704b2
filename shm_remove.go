package disruptor

import (
	"fmt"
	"io"
	"os"

	"github.com/disruptor-go/disruptor/internal/layout"
)

// Remove deletes the ring file under name (see RingPath). Processes that
// have it mapped keep using it until they close it. Remove deletes only a
// ring: a regular file that begins with a ring header of any version, or
// the blank header page a creator that died leaves behind. Anything else (a
// FIFO, a device, a directory, a symbolic link, a file with other contents,
// an empty file) is left as it is and gives an error matching ErrNotRing;
// so is a ring another user owns (ErrForeignOwner); a missing file gives an
// error matching fs.ErrNotExist.
func Remove(name string, opts ...Option) error {
	path := RingPath(name, opts...)
	if err := checkRingFile(path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.Remove(path)
}

// checkRingFile reports, with an error wrapping ErrNotRing, why the file at
// path is not a ring; nil if it is one. The path is not followed, and a
// file replaced while it is read is not judged by the other's contents.
func checkRingFile(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if err := checkFile(fi); err != nil { // as Create and Attach judge it
		return err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNoFollow|openNoBlock, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if now, err := f.Stat(); err != nil || !os.SameFile(fi, now) {
		return fmt.Errorf("%w: the file was replaced while it was checked", ErrNotRing)
	}
	size := fi.Size()
	if size == 0 {
		return fmt.Errorf("%w: the file is empty", ErrNotRing)
	}
	b := make([]byte, min(size, layout.HeaderSize))
	if _, err := io.ReadFull(f, b); err != nil {
		return fmt.Errorf("%w: reading its header: %v", ErrNotRing, err)
	}
	if layout.HasMagic(b) || layout.IsBlankHeader(b, size) {
		return nil
	}
	return fmt.Errorf("%w: %d bytes of something else (it starts %q)", ErrNotRing, size, b[:min(len(b), 16)])
}
