// Package bridge carries a disruptor ring's events into a NATS JetStream
// stream (Out) and a stream's events into a ring (In), exactly once across
// crashes of either side, so that a ring can feed another machine, outlive
// its host, or be replayed.
//
// Out is a ring consumer (disruptor.ManualRelease) that packs runs of up to
// Config.FrameEvents events into frames, one message each (frame.go), and
// publishes them asynchronously, at most Config.Window in flight, each
// expecting the stream's last sequence (jetstream.WithExpectLastSequence):
// a frame is stored only right after the one sent before it. Ring slots
// are released only when their frame's acknowledgement arrives, in order
// (disruptor.Consumer.ReleaseThrough), so a killed Out loses nothing: the
// next one resumes from the consumer's record and the stream's tail.
//
// In reads the stream in order and writes each frame into its ring with a
// producer mark (disruptor.Producer.SetMark) saying which stream message
// the ring holds through; the mark is stored with the ring's cursor, so a
// killed In's successor resumes right after it and writes nothing twice.
// In reads with an ordered consumer, or with a durable pull consumer with
// explicit acknowledgements (Config.Durable, durable.go), where the mark
// still decides what is written.
//
// Failures the bridge cannot mend are typed errors (errors.go): another
// writer on the stream, a gap between the stream and the ring, frames of
// another ring or event layout, corrupt frames. Failures of the server or
// the connection are mended by resynchronising from the stream's tail.
// Back-pressure runs end to end: a slow stream leaves ring slots held and
// the ring gates its producers; a slow ring leaves messages unread.
//
// On a small machine, or beside a NATS server, give the ring handles the
// bridge uses disruptor.WithWaitStrategy(disruptor.Park()), as `disruptor
// bridge` does: a waiter that spins takes a processor from the client and
// the server, which bound the bridge.
//
// Events must be fixed-size and pointer-free, as shared rings require;
// their bytes travel as they lie in memory, so both ends must share byte
// order and the event type's layout (checked: Layout).
package bridge
