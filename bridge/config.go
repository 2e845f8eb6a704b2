package bridge

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats.go/jetstream"
)

// Config is what both directions of a bridge need.
type Config struct {
	// JS is the JetStream context the bridge publishes and reads with.
	JS jetstream.JetStream
	// Stream is the JetStream stream's name; it must exist (see
	// EnsureStream).
	Stream string
	// Subject is where ring → stream publishes frames: Stream + ".frames"
	// if empty. The stream must capture it.
	Subject string
	// RingID names the ring the frames come from. Out: the identity it
	// stamps on every frame; if empty, a shared ring's file name and
	// creation instance (a ring made again has another). In: the identity
	// every frame must carry; if empty, that of the first frame read.
	RingID string
	// Name is the ring consumer (Out) or producer (In) the bridge
	// registers: "bridge-out" or "bridge-in" if empty.
	Name string
	// FrameEvents is the most events one frame holds (Out): 256 if zero.
	FrameEvents int
	// Window is the most frames published and not yet acknowledged (Out):
	// 64 if zero.
	Window int
	// AckTimeout bounds the wait for one acknowledgement (Out) before the
	// bridge resynchronises from the stream's tail: 5s if zero.
	AckTimeout time.Duration
	// StartSeq is the stream sequence In starts from when the ring holds
	// nothing of the stream yet (no mark): 1 if zero.
	StartSeq uint64
	// Durable, if set, makes In read with the durable pull consumer of
	// that name (made, from where the ring stands, if the stream has none)
	// and acknowledge each message once its frame is in the ring; several
	// Ins may read one stream, each with a durable of its own (a durable
	// belongs to one In).
	// The server keeps the consumer's progress and shows it (`nats consumer
	// info`); the ring's mark still decides what is written, so frames a
	// durable redelivers are acknowledged and passed over, never written
	// twice (see durable.go). If empty, In reads with an ordered consumer,
	// which keeps nothing on the server.
	Durable string
}

func (c *Config) defaults(name string) error {
	if c.JS == nil {
		return errors.New("bridge: Config.JS is nil")
	}
	if c.Stream == "" {
		return errors.New("bridge: Config.Stream is empty")
	}
	if c.Subject == "" {
		c.Subject = c.Stream + ".frames"
	}
	if c.Name == "" {
		c.Name = name
	}
	if c.FrameEvents <= 0 {
		c.FrameEvents = 256
	}
	if c.Window <= 0 {
		c.Window = 64
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = 5 * time.Second
	}
	if c.StartSeq == 0 {
		c.StartSeq = 1
	}
	return nil
}

// RingID is the identity Out stamps on frames of a shared ring by default:
// the file's name and its creation instance.
func RingID[E any](r *disruptor.Ring[E]) (string, error) {
	if r.Path() == "" {
		return "", errors.New("bridge: an in-process ring has no identity of its own: set Config.RingID")
	}
	in, err := disruptor.Inspect(r.Path())
	if err != nil {
		return "", fmt.Errorf("bridge: ring identity: %w", err)
	}
	return fmt.Sprintf("%s#%016x", filepath.Base(r.Path()), in.Instance), nil
}

// precondition reports whether err is a failed expected-last-sequence
// precondition.
func precondition(err error) bool {
	var je jetstream.JetStreamError
	if errors.As(err, &je) && je.APIError() != nil {
		c := je.APIError().ErrorCode
		return c == jetstream.JSErrCodeStreamWrongLastSequence || c == jetstream.JSErrCodeStreamWrongLastSequenceConstant
	}
	return false
}
