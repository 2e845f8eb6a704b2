package disruptor

// Creating a shared ring: a new file, an existing compatible ring to reopen,
// or a stale file left by a creator that died (see shm.go).
//
// Only what is ours is touched. Create removes a file only if it made it
// itself in the same call (its O_EXCL open succeeded, and the path still
// names that inode), or if the file is a stale ring: its header proves it
// is a ring file (layout.HasRingPrefix) or is the blank page a creator
// leaves between sizing the file and writing the header, and its creation
// lock is free. It lays a ring out only in a file it made or in an empty
// regular file of this user (another Create's, not locked yet). Anything
// else at the path (a FIFO, a device, a socket, a directory, a symbolic
// link, a file with other contents) is left as it is, with ErrNotRing.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/disruptor-go/disruptor/internal/engine"
	"github.com/disruptor-go/disruptor/internal/layout"
)

// Create makes a ring of size slots in shared memory under name (see
// RingPath), for other processes to Attach. The file is created with
// O_EXCL and mode 0600 unless WithFileMode says otherwise, and its space is
// reserved at once. If a ring of the same geometry and event type already
// exists there, Create opens it instead, so a restarted producer resumes
// where the ring stands; a stale ring file left by a creator that died
// before finishing is replaced. Anything else at the path is left
// untouched and gives ErrNotRing: a FIFO, a device, a socket, a directory,
// a symbolic link (never followed), or a file holding something else.
// E must be fixed-size and pointer-free.
//
// Errors, besides ErrNotRing: ErrInvalidSize for a size that is not a power
// of two of at least 2; ErrInvalidParams for a ring no file can hold (see
// there); ErrNotShareable for an E that holds pointers or is not
// fixed-size; ErrGeometryMismatch or ErrTypeMismatch for a ring already
// there of another size, producer mode, publication times setting or event
// type; Attach's errors for a ring already there that does not validate;
// the file system's error (ENOSPC, say) when the space cannot be reserved;
// off Linux, an error matching errors.ErrUnsupported.
func Create[E any](name string, size int, opts ...Option) (*Ring[E], error) {
	if !sharedSupported {
		return nil, fmt.Errorf("disruptor: shared rings: %w", errNoShared)
	}
	cfg := newConfig(opts)
	params, err := sharedParams[E](size, &cfg)
	if err != nil {
		return nil, err
	}
	path := RingPath(name, opts...)
	geo, err := layout.Plan(params)
	if err != nil {
		return nil, fmt.Errorf("disruptor: create %s: %w", path, err)
	}
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|openNoFollow, cfg.mode)
		if err == nil {
			sh, err := createFile(f, path, geo, true)
			if err == errLookAgain {
				continue
			}
			if err != nil {
				return nil, err
			}
			return sharedRing[E](sh, &cfg), nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("disruptor: create %s: %w", path, err)
		}
		if err := checkPath(path); errors.Is(err, fs.ErrNotExist) {
			continue // removed as stale meanwhile
		} else if err != nil {
			return nil, fmt.Errorf("disruptor: create %s: %w", path, err)
		}
		r, err := Attach[E](path, opts...)
		switch {
		case err == nil:
			if err := r.sh.header().CheckGeometry(params); err != nil {
				r.Close()
				return nil, fmt.Errorf("disruptor: %s exists: %w", path, err)
			}
			return r, nil
		case errors.Is(err, fs.ErrNotExist): // removed as stale meanwhile
		case errors.Is(err, ErrNotRing): // replaced by something else meanwhile
			return nil, err
		case errors.Is(err, ErrBadMagic):
			return nil, fmt.Errorf("disruptor: create %s: %w: %w", path, ErrNotRing, cause(err))
		case errors.Is(err, ErrNotInitialized) || errors.Is(err, ErrCorrupt):
			sh, cerr := claimStale(path, geo)
			switch {
			case cerr == nil:
				return sharedRing[E](sh, &cfg), nil
			case cerr == errBusy:
				return nil, err
			case cerr != errLookAgain:
				return nil, cerr
			}
		default:
			return nil, err
		}
	}
	return nil, fmt.Errorf("disruptor: create %s: the file keeps changing under us", path)
}

// cause is what an Attach error says without its "attach path" prefix.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// Outcomes of claimStale and createFile that are not failures.
var (
	errBusy      = errors.New("disruptor: a creator is at work")
	errLookAgain = errors.New("disruptor: the file changed: look again")
)

// claimStale deals with the file at path, which was not a ready ring: if its
// creator holds the creation lock, errBusy; if it is an empty regular file
// of ours, it lays a ring out in it; if it is a stale ring (see staleRing),
// it is removed (errLookAgain, as when it changed since the caller looked);
// anything else is left alone, with ErrNotRing.
func claimStale(path string, geo layout.Geometry) (*shared, error) {
	fail := func(err error) (*shared, error) { return nil, fmt.Errorf("disruptor: create %s: %w", path, err) }
	f, err := os.OpenFile(path, os.O_RDWR|openNoFollow|openNoBlock, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, errSymlink): // changed: classify it again
		return nil, errLookAgain
	case err != nil:
		return fail(err)
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkFile(fi) // before locking: nothing but a regular file of ours is touched
	}
	if err != nil {
		f.Close()
		return fail(err)
	}
	if ok, err := tryLock(f, lockCreate); err != nil || !ok {
		f.Close()
		return nil, errBusy
	}
	if fi, err = f.Stat(); err == nil { // as it is now that we hold the lock
		err = checkFile(fi)
	}
	if err == nil && !isSameFile(fi, path) {
		err = errLookAgain
	}
	if err == nil && fi.Size() == 0 {
		return createFile(f, path, geo, false) // it checks that path names f
	}
	if err == nil {
		err = staleRing(f, fi.Size())
	}
	if err == nil {
		err = os.Remove(path)
	}
	f.Close() // and so unlock
	switch {
	case err == nil:
		return nil, errLookAgain
	case err == errLookAgain:
		return nil, err
	}
	return fail(err)
}

func isSameFile(fi os.FileInfo, path string) bool {
	pi, err := os.Lstat(path)
	return err == nil && os.SameFile(fi, pi)
}

// staleRing reads the start of f, a regular file of size bytes, not ready
// when the caller looked and whose creation lock the caller holds. It
// returns nil if the file may be removed as stale: its header is a ring
// header of this layout whose creator did not finish (or that was damaged
// since), or the blank page a creator leaves when it dies before writing
// the header. It returns errLookAgain if the ring is ready after all, and
// an error wrapping ErrNotRing for anything else.
func staleRing(f *os.File, size int64) error {
	b := make([]byte, min(size, layout.HeaderSize))
	if _, err := f.ReadAt(b, 0); err != nil {
		return errLookAgain // it shrank meanwhile
	}
	if _, err := layout.Decode(b, size); err == nil {
		return errLookAgain
	}
	if layout.HasRingPrefix(b) || layout.IsBlankHeader(b, size) {
		return nil
	}
	return fmt.Errorf("%w: holds %d bytes that are not a ring (it starts %q)", ErrNotRing, size, b[:min(len(b), 16)])
}

// createFile lays a new ring out in f, an empty file at path that Create
// made (made) or found. Until a file is locked, another Create may take it
// and lay it out first: then, and if path no longer names f, createFile
// returns errLookAgain. If it fails after that, it removes the file it made
// (if path still names it), or empties again the file it found.
func createFile(f *os.File, path string, geo layout.Geometry, made bool) (*shared, error) {
	var fi os.FileInfo // set once the empty file at path is ours
	fail := func(err error) (*shared, error) {
		switch {
		case fi != nil && made && isSameFile(fi, path):
			os.Remove(path)
		case fi != nil && !made:
			f.Truncate(0)
		}
		f.Close()
		return nil, fmt.Errorf("disruptor: create %s: %w", path, err)
	}
	if err := waitLock(f, lockCreate); err != nil { // held at most a moment by another Create
		return fail(fmt.Errorf("creation lock: %v", err))
	}
	st, err := f.Stat()
	if err != nil || st.Size() != 0 || !st.Mode().IsRegular() || !isSameFile(st, path) {
		f.Close()
		return nil, errLookAgain
	}
	fi = st
	if err := reserve(f, int64(geo.FileSize)); err != nil {
		return fail(err)
	}
	mem, err := mapFile(f, int(geo.FileSize))
	if err != nil {
		return fail(err)
	}
	hdr := layout.NewHeader(geo)
	layout.Encode(&hdr, mem[:layout.HeaderSize])
	sh := &shared{path: path, f: f, mem: mem, geo: geo, instance: hdr.InstanceID}
	sh.view()
	e := engine.Engine{Ctl: &sh.ctl.Control, Size: int64(geo.Capacity), Mask: int64(geo.Capacity - 1)}
	e.Marks, e.Avail = sh.seqWords()
	e.InitWords(0)
	layout.StateWord(mem).Store(layout.StateReady)
	unlock(f, lockCreate)
	return sh, nil
}
