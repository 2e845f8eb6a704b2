// Package disruptor moves events between goroutines, and between processes
// through shared memory, by a pre-allocated ring buffer, in the manner of
// the LMAX Disruptor: producers claim slots, fill them in place and publish
// them; consumers read them in sequence order, in place, without copies,
// locks or allocations. The same *Ring[E] lives on the Go heap (New) or in
// a file that several processes map (Create, Attach): see Shared memory.
//
// # Sequences and gating
//
// Every slot claimed gets the next int64 sequence, from 0. Slot s lives at
// index s mod size, size being a power of two. A producer never claims a
// slot whose previous event some consumer has not released yet: consumers
// gate the producers. A consumer releases what it read lazily, when it has
// read every event it acquired (at most a quarter of the ring at a time),
// so one store covers a whole batch.
//
// # Producers
//
// In single-producer mode (the default) one producer claims without any
// atomic read-modify-write; WithMultiProducer allows many, which claim with
// a compare-and-swap and publish through a per-slot availability word, so a
// slow producer never delays a fast one's publication. Claim and ClaimN
// block while the ring is full, until their context ends or the ring halts;
// TryClaim and TryClaimN fail at once with ErrFull. Skip publishes a claim
// as a hole that consumers pass over; Flush publishes a flush marker; Close
// publishes the producer's EOF marker.
//
// # Consumers
//
// A broadcast consumer sees every event. After makes a consumer follow
// others: it never reads an event before all of them released it, so any
// DAG of stages (pipelines, diamonds, fan-out and join) reads the same ring.
// A WorkGroup shares the stream among members instead: each event goes to
// exactly one. Next returns an event valid until the consumer's next call;
// Batch hands a run of events to a callback with an end-of-batch flag;
// Events is a range-over-func iterator; Lease holds a run of events in place
// until released.
//
// Next returns ErrFlush where a producer flushed, and io.EOF only after an
// EOF from every producer and every event before it: earlier EOFs are
// swallowed, so several producers can close independently.
//
// # Waiting
//
// A WaitStrategy says what a participant does while it cannot proceed:
// BusySpin, SpinPause, Hybrid (spin, yield, then escalating sleeps), Sleep
// and Block, which parks the waiter until a publisher wakes it. Publishers
// call the waker only when someone is parked, so an uncontended publish
// makes no call. The default, DefaultWait, spins briefly and then parks, so
// it does not collapse when goroutines outnumber cores.
//
// # Graphs
//
// A Graph runs handlers on goroutines over a ring, stages wired by name in
// any DAG, with panics (as *PanicError) and errors reported to an error
// handler, graceful Shutdown and Halt. On a shared ring, a stage may follow
// a consumer of another process's graph, declared with External.
//
// # Statistics
//
// Every producer and consumer keeps counters (claims, publications, holes,
// flushes, EOFs, full-ring waits, empty polls, yields, parks, lag
// high-water mark) that cost no atomic operation per event; Stats reads them,
// Ring.Counters lists them by type (CounterTypes, PositionTypes) and
// Ring.Report prints them all. The metrics package exports them to Prometheus.
//
// # Shared memory
//
// Create makes a ring in a file that several processes map (a name without
// a slash lives in /dev/shm, or the directory WithDir gives; a name with a
// slash is a path), or opens it if a ring of the same geometry and event
// type is there; Attach opens an existing one, and AttachContext waits for
// its creator. Either returns the same *Ring[E] type as New, with the same
// producers, consumers, graphs and counters, so code written for one memory
// runs on the other. E must be fixed-size and pointer-free; its layout, not
// its name, must match the creator's (ErrTypeMismatch). A consumer's
// position is kept in the file under its name, so a consumer that comes
// back (Consumer.Detach, or its process dying) resumes where it was; a
// producer can WaitForConsumers before publishing.
//
// Each participant's process holds a lock on its table entry while it
// lives, and the ring acts on the lock's release, never on a timeout alone:
// consumers learn that their producers died (ErrProducerGone), what a dead
// producer claimed but never published becomes holes, and a dead
// consumer's record keeps gating until it comes back, unless WithEvictDead,
// WithUntetherAfter or EvictConsumer says otherwise. Inspect, ListRings and
// Observer read a ring without joining it, for tools and monitoring.
//
// Shared rings need Linux (futexes, OFD locks, fallocate); on other
// systems Create and Attach return an error matching errors.ErrUnsupported,
// and in-process rings work everywhere.
//
// # Shared rings whose file is truncated
//
// A shared ring's file shortened by another process (or removed and
// replaced) ends the ring for every handle: waits notice within about
// 100 ms, and every call then returns an error matching ErrTruncated. A
// Go process touching a mapped page past the file's new end would die of
// SIGBUS, so the ring's own waits, registration and readers recover from
// such a fault, and Ring.Guard does the same for a loop of user code. Once
// the fault is known the handle's mapping is replaced, in place, by
// memory that is safe to touch. What remains unprotected is code outside
// Guard, on any goroutine, that reads or writes an event through a pointer
// from Claim, Next, a Batch or a Lease (or calls Cursor) after the
// truncation but before the handle noticed it: run such loops under Guard,
// on the goroutine that holds the pointers, or accept that a truncated
// file kills the process as it would any program that maps it.
package disruptor
