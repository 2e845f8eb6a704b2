package disruptor

// The host seam.
//
// One engine runs over two memories: an in-process ring keeps the engine's
// words on the Go heap (heapHost, host_heap.go), a shared ring lays them over
// a mapped file (the file host, *shared: shm*.go, adapters in host_file.go).
// The sequencing code does not care which. What does differ is how the
// participants find each other, how long the memory stays usable, and where
// the counters live: that, and only that, goes through host. No code outside
// the file host's files asks whether a ring has a mapping (seam_test.go
// checks it).
//
// The host is not generic: the generic types (Ring, Producer, Consumer)
// call it with records, names, sequences, and the small join structs below.
// A participant's registration touches per-type state (its tally, its
// producer state, its waiter, its start): rather than pass the generic
// participant to the host, or move that state into a struct embedded in
// it, a join carries pointers to the non-generic pieces, and the host
// fills in the rest as results, which the participant copies into its own
// fields. So each memory's registration is written once, without type
// parameters, and the participants' hot fields keep their places. Where a
// host needs an answer only the generic ring can give (which entries its
// producers hold, its own participants' counters), it asks the ring
// through handle.
//
// The seam is crossed on slow paths only: registration and Close, the
// usable check of a consumer's acquire and of a producer's slow claim, the
// waits, the end of a stream, the reading of counters; never in the fast
// paths of Claim, Publish, Put, Next or Batch.

import (
	"sync/atomic"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// host is what differs between the two memories a ring can live in.
type host interface {
	// usable reports why the memory can no longer be used: nil on the heap;
	// for a file, ErrClosed after the ring's Close and ErrTruncated once its
	// file was truncated or replaced.
	usable() error
	// observable reports whether observers can read the ring: a file's
	// usable(), ErrNotSupported on the heap (its readers are consumers).
	observable() error
	// ringPath names the memory: the ring file, or "" on the heap.
	ringPath() string
	// site makes the park site of one of the control block's wait words:
	// goroutines on channels in-process, futexes across processes.
	site(w *engine.ParkWord) engine.ParkSite

	// joinProducer registers a producer (the ring's mu is held): it checks
	// that one more may join, takes its entry (a file's producer table), and
	// sets up its tally and claim state.
	joinProducer(j *producerJoin) error
	// markClosed records, before the producer's EOF marker at eof is
	// published, that the producer of entry closed (a file's table: see
	// eofEnds); nothing on the heap, which counts closed producers.
	markClosed(entry int, eof int64)
	// leaveProducer gives up a closed producer's entry.
	leaveProducer(entry int)

	// joinConsumer registers a consumer (the ring's mu is held): it resolves
	// the consumers it follows, takes (or, in a file, resumes) its record,
	// and sets up its tally and waiter.
	joinConsumer(j *consumerJoin) error
	// leaveConsumer ends a consumer's hold on its record: it is freed, or,
	// with keep, kept gating for a later resume (a file only: on the heap
	// nothing outlives the handle, so it is freed either way).
	leaveConsumer(rec *engine.ConsumerRecord, keep bool)
	// abandonConsumer undoes the registration of a consumer that never
	// served (a work group that could not be made): a record it joined is
	// freed, its counters closed; one it resumed (found not nil) is put
	// back as it was found, for a later resume.
	abandonConsumer(rec *engine.ConsumerRecord, t *engine.Tally, found *foundRecord)
	// followers is how many consumers follow rec, given the here of this
	// handle: a file adds those of every process (rec.Followers).
	followers(rec *engine.ConsumerRecord, here int32) int32

	// lastEOF decides whether the EOF marker at s, the eofs-th its reader
	// has read, ends the stream: on the heap once every producer made sent
	// one; in a file once no producer in its table is open and none closed
	// after s (eofEnds), whatever eofs says.
	lastEOF(s, eofs int64) bool
	// pastEnd reports whether the stream ended before next, for a reader
	// with no marker left to read (see follow.go); parks is the reader's
	// count of parks, which a file's throttled check watches, and w what
	// the wait's earlier checks saw, returned updated.
	pastEnd(w endWatch, next, parks int64) (bool, endWatch)

	// stageMark and commitMark are steps 1 and 3 of a marked publication
	// (marks.go): a file keeps the mark in the producer's table entry; the
	// heap keeps it in the producer only.
	stageMark(entry int, hi int64, m uint64)
	commitMark(entry int, m uint64)
	// producerMark is Ring.ProducerMark's answer (the ring's mu is held).
	producerMark(name string) (m uint64, ok bool, err error)

	// statsOf is the counter record to read a participant's Stats from:
	// rec itself on the heap; for a file, a copy read under guard, or nil
	// if reading faulted. (A guarded closure would allocate, through the
	// interface, at every Stats.)
	statsOf(rec *engine.CounterRecord) *engine.CounterRecord
	// readCounters is Ring.Counters: a file's whole counters area, or the
	// handle's own participants and sets on the heap.
	readCounters() []Counter
	// appValues appends the values of the application counter sets of the
	// memory: a file's area, or on the heap the handle's open sets.
	appValues(out []Counter, open []*AppCounters) []Counter
	// openApps gives a an application counter record (the ring's mu is
	// held) and returns what frees it, called with the ring's mu held.
	openApps(a *AppCounters, role, owner string) (free func(), err error)
	// reportStats is what Ring.Report tabulates: every process's
	// participants as a file's tables record them, or the handle's own.
	reportStats() ([]ProducerStats, []ConsumerStats, error)
}

// handle is what a host asks of the generic ring it serves: the questions
// are not generic, but the lists that answer them (the handle's producers,
// consumers and counter sets) are. *Ring[E] implements it.
type handle interface {
	ownsEntry(j int) bool                                             // a producer of this handle holds producer entry j
	keepsConsumer(name string) bool                                   // a consumer of this handle holds the record of name
	ownApp(i int) bool                                                // this handle holds application counter record i
	namedConsumer(name string) Dependency                             // an open consumer of this handle, or nil
	producerMarkOf(name string, open bool) (m uint64, ok, found bool) // see Ring.producerMarkOf
	ownCounters() []Counter                                           // the handle's participants' counters
	ownStats() ([]ProducerStats, []ConsumerStats)                     // the handle's participants' statistics
}

// producerJoin is a producer's registration: what the producer asks, and
// pointers to the non-generic state the host sets up. The host fills in
// the results.
type producerJoin struct {
	name string
	made int // producers this handle made before this one
	t    *engine.Tally
	st   *engine.ProducerState

	// results
	entry  int    // a file's producer table entry
	mark   uint64 // the mark the entry holds from an earlier producer of the name
	markOK bool
}

// consumerJoin is a consumer's registration: what the consumer asks, and
// pointers to the non-generic state the host sets up. The host fills in
// the results; the Consumer copies them into its own fields.
type consumerJoin struct {
	name       string
	owner      any          // the ring handle: every dependency must be its
	after      []Dependency // consumers and groups to follow (After)
	afterNames []string     // consumers to follow by name (AfterName)
	latest     bool         // StartAtLatest
	t          *engine.Tally
	w          *engine.Waiter

	// results
	rec     *engine.ConsumerRecord
	deps    []*atomic.Int64 // the upstream cursors
	start   int64           // the first sequence to read
	resumed bool            // a file's record, taken over from an earlier owner
	found   foundRecord     // what a resumed record held before (abandonConsumer)
}

// foundRecord is what resuming changed in a file's consumer record, kept
// so that a registration undone puts it back.
type foundRecord struct {
	pid, beat int64
	detached  uint32
	nups      uint32
	ups       [engine.MaxUps][2]uint32 // each Ups entry's Idx and Gen
}
