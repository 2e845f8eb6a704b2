package disruptor

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Platform code for shared rings: mapping, space reservation and the
// open-file-description locks that tell live participants from dead ones.
// An OFD lock belongs to the open file (one per ring handle), is released by
// the kernel when the process dies however it dies, and is invisible to
// F_OFD_GETLK from the same handle.

const sharedSupported = true

func mapFile(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
}

func unmapFile(mem []byte) error { return unix.Munmap(mem) }

// reserve allocates the file's blocks now, so that running out of space is
// an error at creation (ENOSPC) instead of a SIGBUS on first touch.
func reserve(f *os.File, size int64) error {
	return unix.Fallocate(int(f.Fd()), 0, 0, size)
}

func ofdLock(f *os.File, off int64, typ int16, cmd int) (unix.Flock_t, error) {
	lk := unix.Flock_t{Type: typ, Whence: 0, Start: off, Len: 1}
	err := unix.FcntlFlock(f.Fd(), cmd, &lk)
	return lk, err
}

// tryLock takes the write lock on byte off; false if another handle holds it.
func tryLock(f *os.File, off int64) (bool, error) {
	_, err := ofdLock(f, off, unix.F_WRLCK, unix.F_OFD_SETLK)
	if err == unix.EAGAIN || err == unix.EACCES {
		return false, nil
	}
	return err == nil, err
}

// waitLock takes the write lock on byte off, waiting for it.
func waitLock(f *os.File, off int64) error {
	for {
		_, err := ofdLock(f, off, unix.F_WRLCK, unix.F_OFD_SETLKW)
		if err != unix.EINTR {
			return err
		}
	}
}

func unlock(f *os.File, off int64) error {
	_, err := ofdLock(f, off, unix.F_UNLCK, unix.F_OFD_SETLK)
	return err
}

// lockedByOther reports whether another handle (any process) holds a lock
// on byte off.
func lockedByOther(f *os.File, off int64) bool {
	lk, err := ofdLock(f, off, unix.F_WRLCK, unix.F_OFD_GETLK)
	return err == nil && lk.Type != unix.F_UNLCK
}

// fileOwner returns the file's owner uid.
func fileOwner(fi os.FileInfo) (uint32, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t) // what os.File.Stat gives, not a *unix.Stat_t
	if !ok {
		return 0, false
	}
	return st.Uid, true
}

const openNoFollow = unix.O_NOFOLLOW
