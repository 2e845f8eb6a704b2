// Package engine is the disruptor's sequencing code, written once and not
// generic: the shared words and who writes each (words.go), claim and
// publish, the gate over the consumer records, what a consumer may read
// (Published, Available), the marker words of holes, flushes and EOFs,
// joining and leaving the gating set, the one wait loop (Await) with its
// schedule of spins, yields, sleeps and parks, the park sites, the memory
// barriers and release stores, and the counter records' protocol.
//
// It is not the user's API: the root package's generic types (Ring,
// Producer, Consumer, WorkGroup, Observer, Graph) hold the slots, which
// the engine never sees, and call it with sequences, records and words. Nor
// does it decide where its words live: an Engine holds pointers to words
// that the root package's host placed, on the Go heap for an in-process
// ring or laid over a mapped file for a shared one, and it runs the same
// over both. It opens no file, maps no memory and registers no
// participant; for a shared ring it asks the host's Mapping why the memory
// is gone, and its Watch hook what became of the other processes.
package engine
