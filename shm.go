package disruptor

// Rings in shared memory.
//
// A shared ring is one file, by default /dev/shm/<name>, mapped by every
// process that uses it: a header page (internal/layout), the control block
// and producer table, the consumer table, the availability buffer, the
// counter records, the application counter sets, the publication times (if
// asked for), and the slots. The engine runs over those words exactly as it
// runs over heap memory; what this file adds is naming, creation,
// validation and the mapping's lifetime (the views themselves are in
// shm_views.go). Participants' registration and liveness are in
// shm_participants.go.
//
// Invariants: the creator holds the creation lock (an OFD lock on byte 0)
// from before writing the header until after it stored StateReady, so a
// file whose state is not ready and whose creation lock is free is stale.
// An empty file may be a creator's that it has yet to lock: it is never
// removed, only laid out by whoever locks it first (see claimStale), so that
// processes creating one ring at once all end up on the same file.
// Besides, Create removes only a file it made itself in the same call or
// a stale ring file (see shm_create.go); a path that is not a regular file
// is refused before it is opened (lstat), and never changed.
// The geometry is decoded and validated once and kept in process memory; no
// offset is ever re-read from the file.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/engine"
	"github.com/disruptor-go/disruptor/internal/layout"
	"github.com/disruptor-go/disruptor/internal/typecheck"
)

const defaultDir = "/dev/shm"

// errNoShared says shared rings are not available on this platform.
var errNoShared = errors.ErrUnsupported

// Lock bytes in the header page (locks do not touch the bytes).
const (
	lockCreate   = 0    // held by the creator until the ring is ready
	lockRegistry = 2048 // serialises registration of producers and consumers
)

// shared is a ring handle's mapping of a ring file.
type shared struct {
	path     string
	f        *os.File
	mem      []byte
	geo      layout.Geometry
	instance uint64
	ctl      *engine.SharedControl
	counters []engine.CounterRecord
	apps     []appRecord    // application counter sets, after counters
	stamps   []int64        // publication times, if the creator asked for them
	eng      *engine.Engine // the ring's engine over this mapping (the file host's: host_file.go)
	ring     handle         // the ring handle that maps it

	base, size uintptr               // the mapping's addresses, kept after Close (shm_fault.go)
	mu         sync.Mutex            // serialises closing and breaking the handle
	closed     atomic.Bool           // set under mu, before the mapping is unmapped
	fault      atomic.Pointer[error] // ErrTruncated, once the mapping faulted (set under mu)
}

// WithDir sets the directory where ring names without a slash live
// (default /dev/shm, memory-backed; any other directory gives a file-backed
// mapping).
func WithDir(dir string) Option { return func(c *config) { c.dir = dir } }

// WithFileMode sets the permissions of a ring file Create makes (default
// 0600: only the owner's processes may attach).
func WithFileMode(m os.FileMode) Option { return func(c *config) { c.mode = m.Perm() } }

// WithEvictDead lets producers free the record of a consumer whose process
// died, instead of waiting for it to come back and resume: producers go on,
// and that consumer's events since its last release are lost to it.
func WithEvictDead() Option { return func(c *config) { c.evictDead = true } }

// RingPath is where a ring name lives: the name itself if it holds a slash,
// otherwise the name inside the directory (default /dev/shm).
func RingPath(name string, opts ...Option) string {
	if strings.ContainsRune(name, '/') {
		return name
	}
	cfg := newConfig(opts)
	return filepath.Join(cfg.dir, name)
}

// typeID describes E for the header, or says why E cannot be shared.
func typeID[E any]() (layout.TypeID, error) {
	t := reflect.TypeFor[E]()
	if err := typecheck.Check(t); err != nil {
		return layout.TypeID{}, err
	}
	name, size, align, hash := typecheck.Identity(t)
	if size == 0 {
		return layout.TypeID{}, fmt.Errorf("%w: %s has size 0", ErrNotShareable, name)
	}
	desc := layout.FitLayout(typecheck.Describe(t))
	return layout.TypeID{Name: name, Size: uint64(size), Align: uint64(align), Hash: hash, Layout: desc}, nil
}

func sharedParams[E any](size int, cfg *config) (layout.Params, error) {
	id, err := typeID[E]()
	if err != nil {
		return layout.Params{}, err
	}
	if err := checkSize(size); err != nil {
		return layout.Params{}, err
	}
	if err := checkMemory[E](size, cfg); err != nil {
		return layout.Params{}, err
	}
	if size > layout.MaxCapacity {
		return layout.Params{}, fmt.Errorf("%w: %d slots; a shared ring has at most %d", ErrInvalidSize, size, layout.MaxCapacity)
	}
	var s E
	counters := uint64(cfg.maxConsumers+engine.MaxSharedProducers) * uint64(unsafe.Sizeof(engine.CounterRecord{}))
	return layout.Params{
		Capacity: uint64(size), SlotSize: uint64(unsafe.Sizeof(s)), SlotAlign: uint64(unsafe.Alignof(s)),
		MultiProducer: cfg.multi, MaxConsumers: uint64(cfg.maxConsumers),
		ConsumerEntrySize: uint64(unsafe.Sizeof(engine.ConsumerRecord{})),
		ControlSize:       uint64(unsafe.Sizeof(engine.SharedControl{})),
		CountersSize:      counters,
		AppsSize:          appSets * uint64(unsafe.Sizeof(appRecord{})),
		PublishTimes:      cfg.stamps,
		FullBarriers:      cfg.wait.parksAtOnce(), // as an in-process ring's (see ring.go)
		Type:              id,
	}, nil
}

// Attach opens the ring under name (see RingPath) that another process
// created. It validates everything before trusting it (regular file, owner,
// size, header, checksum, geometry, and that the event type E has the
// creator's layout: the same field names, offsets, sizes and kinds, all the
// way down; the type's own name and package may differ) and reports each
// mismatch with its own error: ErrNotInitialized (retry: the creator is
// still at work), ErrBadMagic, ErrIncompatibleVersion, ErrForeignEndian,
// ErrCorrupt, ErrTypeMismatch, ErrNotShareable, and ErrForeignOwner for a
// file another user owns. A path that is not a regular file (a FIFO, a
// device, a socket, a directory, or a symbolic link, which is never
// followed) gives ErrNotRing and is not opened; a missing file gives an
// error matching fs.ErrNotExist (AttachContext waits for it). Off Linux,
// Attach returns an error matching errors.ErrUnsupported.
func Attach[E any](name string, opts ...Option) (*Ring[E], error) {
	if !sharedSupported {
		return nil, fmt.Errorf("disruptor: shared rings: %w", errNoShared)
	}
	cfg := newConfig(opts)
	id, err := typeID[E]()
	if err != nil {
		return nil, err
	}
	path := RingPath(name, opts...)
	sh, err := openFile(path)
	if err != nil {
		return nil, err
	}
	hdr := sh.header()
	if err := hdr.CheckType(id); err != nil {
		sh.close()
		return nil, fmt.Errorf("disruptor: attach %s: %w", path, err)
	}
	cfg.multi, cfg.maxConsumers = hdr.MultiProducer, int(hdr.MaxConsumers)
	r := sharedRing[E](sh, &cfg)
	if r.eng.Multi { // a ring wedged by a dead producer heals when anyone attaches
		sh.registry(func() error { sh.heal(func(int) bool { return false }); return nil })
	}
	return r, nil
}

// openFile maps and validates an existing ring file.
func openFile(path string) (*shared, error) {
	fail := func(err error) (*shared, error) { return nil, fmt.Errorf("disruptor: attach %s: %w", path, err) }
	if err := checkPath(path); err != nil { // before opening: opening a device may do something
		return fail(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|openNoFollow|openNoBlock, 0)
	if err != nil {
		return fail(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fail(err)
	}
	if err := checkFile(fi); err != nil {
		f.Close()
		return fail(err)
	}
	if fi.Size() < layout.HeaderSize {
		// Blank (a creator still sizing it), a truncated ring, or no ring
		// at all: Decode tells them apart, so that Create never takes a
		// short foreign file for a stale ring and removes it.
		buf := make([]byte, fi.Size())
		_, err := io.ReadFull(f, buf)
		if err == nil {
			_, err = layout.Decode(buf, fi.Size())
		}
		f.Close()
		return fail(err)
	}
	mem, err := mapFile(f, int(fi.Size()))
	if err != nil {
		f.Close()
		return fail(err)
	}
	hdr, err := layout.Decode(mem[:layout.HeaderSize], fi.Size())
	if err == nil {
		err = checkViews(&hdr.Geometry)
	}
	if err != nil {
		unmapFile(mem)
		f.Close()
		return fail(err)
	}
	sh := &shared{path: path, f: f, mem: mem, geo: hdr.Geometry, instance: hdr.InstanceID}
	sh.view()
	return sh, nil
}

// checkPath refuses, without opening it, a path that is not a regular
// file (see notRegular).
func checkPath(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return notRegular(fi.Mode())
	}
	return nil
}

// checkFile refuses what no ring file can be: not a regular file, owned by
// someone else, or too large to hold a ring. (openFile classifies files
// shorter than a header.)
func checkFile(fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return notRegular(fi.Mode())
	}
	if uid, ok := fileOwner(fi); ok && int(uid) != os.Geteuid() {
		return fmt.Errorf("%w: the file belongs to uid %d, not to this user (%d)", ErrForeignOwner, uid, os.Geteuid())
	}
	if uint64(fi.Size()) > layout.MaxFileSize {
		return fmt.Errorf("%w: %d bytes is larger than any ring (%w)", ErrNotRing, fi.Size(), ErrCorrupt)
	}
	return nil
}

// notRegular explains why a file of mode m is no ring: it wraps ErrNotRing,
// and also the error that opening a symbolic link gives (ELOOP: links are
// never followed) or, for anything else, ErrCorrupt.
func notRegular(m fs.FileMode) error {
	var what string
	switch {
	case m&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: is a symbolic link, and ring paths are never followed (%w)", ErrNotRing, errSymlink)
	case m.IsDir():
		what = "directory"
	case m&fs.ModeNamedPipe != 0:
		what = "FIFO"
	case m&fs.ModeSocket != 0:
		what = "socket"
	case m&fs.ModeCharDevice != 0:
		what = "character device"
	case m&fs.ModeDevice != 0:
		what = "block device"
	default:
		what = fmt.Sprintf("special file (%v)", m.Type())
	}
	return fmt.Errorf("%w: is a %s, not a regular file (%w)", ErrNotRing, what, ErrCorrupt)
}

// view sets the typed views of the mapping that do not depend on E.
func (sh *shared) view() {
	g, m := &sh.geo, sh.mem
	sh.base, sh.size = mapBase(m), uintptr(len(m))
	sh.ctl = controlView(m, g)
	sh.counters = counterRecords(m, g)
	sh.apps = appRecords(m, g)
	sh.stamps = stampWords(m, g)
}

// seqWords are the views of the per-slot sequence words: the marker words,
// and in a multi-producer ring the availability words after them.
func (sh *shared) seqWords() (marks []engine.MarkWord, avail []engine.AvailWord) {
	return markWords(sh.mem, &sh.geo), availWords(sh.mem, &sh.geo)
}

// recs is the consumer table.
func (sh *shared) recs() []engine.ConsumerRecord { return consumerTable(sh.mem, &sh.geo) }

// header decodes the header again (it is immutable once ready).
func (sh *shared) header() *layout.Header {
	h, _ := layout.Decode(sh.mem[:layout.HeaderSize], int64(len(sh.mem)))
	return &h
}

func (sh *shared) close() error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed.Load() {
		return nil
	}
	sh.closed.Store(true)
	err := unmapFile(sh.mem)
	return errors.Join(err, sh.f.Close())
}

// sharedBarrierOK registers this process for cross-process barriers once;
// it reports whether this process may publish with release stores.
var sharedBarrierOK = sync.OnceValue(engine.RegisterGlobal)

// sharedRing builds the ring over a mapping.
func sharedRing[E any](sh *shared, cfg *config) *Ring[E] {
	g := &sh.geo
	ctl := &sh.ctl.Control
	r := &Ring[E]{sh: sh, host: sh, counters: !cfg.noCounts, stamps: sh.stamps, slots: slotsView[E](sh.mem, g)}
	sh.eng, sh.ring = &r.eng, r
	r.eng = engine.Engine{
		Size: int64(g.Capacity), Mask: int64(g.Capacity - 1), Multi: g.MultiProducer,
		// A ring whose creator parks at once publishes with full barriers
		// in every process, so that no park needs a barrier across
		// processes; otherwise this process registers for those barriers
		// and may publish with release stores.
		Relaxed:      !g.FullBarriers && engine.HaveReleaseStore && sharedBarrierOK(),
		FullBarriers: g.FullBarriers,
		Shared:       true, EvictDead: cfg.evictDead, Untether: cfg.untether,
		Ctl:       ctl,
		Recs:      sh.recs(),
		Wait:      cfg.wait.forProcs(runtime.GOMAXPROCS(0)).s,
		Procs:     runtime.NumCPU(),
		DataSite:  sh.site(&ctl.DataWait),
		DepSite:   sh.site(&ctl.DepWait),
		SpaceSite: sh.site(&ctl.SpaceWait),
	}
	r.eng.Marks, r.eng.Avail = sh.seqWords()
	r.eng.Watch = r.watch
	r.eng.Mapping = sh
	return r
}

// Path is the file of a shared ring, or "" for an in-process ring.
func (r *Ring[E]) Path() string { return r.host.ringPath() }

// Close releases a shared ring's mapping. Consumers of this handle still
// open are detached (their records keep gating, so they can resume), and
// producers still open are left as if their process had ended (an
// outstanding claim is dropped; their entries wait for a producer of the
// same name to take them over). Afterwards nothing of the handle points
// into the mapping: the ring's, its producers' and its consumers' methods
// return ErrClosed (Publish without a claim still panics), and Stats keep
// the last values. Events, batches and leases obtained before Close point
// into the mapping and must not be used after it. Call it only when no
// goroutine uses the ring's producers or consumers any more. For an
// in-process ring Close does nothing. Close is idempotent; its error is
// the file system's, from unmapping and closing the file.
func (r *Ring[E]) Close() error {
	if r.sh == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sh.closed.Load() {
		return nil
	}
	r.sh.checkMapping() // a shortened file is replaced before it is read
	letGo := func() error { r.letGo(); return nil }
	if r.sh.guard(letGo) != nil { // faulted, and so replaced: finish on the replacement
		r.sh.guard(letGo)
	}
	r.unhook()
	return r.sh.close()
}
