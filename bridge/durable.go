package bridge

// The consumers In reads with: an ordered consumer (the default: ephemeral,
// no acknowledgements, made again from the ring's mark at every Run), or,
// with Config.Durable, a durable pull consumer with explicit
// acknowledgements, whose progress the server keeps.
//
// A durable consumer redelivers what was delivered and not acknowledged
// (an In killed between the ring's Publish and the ack, or stopped with
// messages in hand) after its AckWait, and meanwhile delivers later
// messages: its order is not the stream's. The ring's producer mark decides,
// not the consumer: a message at or below it is in the ring already, and
// is acknowledged and passed over; one past the next sequence the ring
// needs makes In read the missing frames from the stream directly
// (Stream.GetMsg) and write them first. So the ring gets every frame once,
// in order, whatever the server redelivers. Run also starts by reading from
// the stream what the durable delivered past the mark (to an In that died
// with them unacknowledged), rather than waiting AckWait for them, and does
// so again whenever nothing arrived for catchUpIdle (the pull requests of
// a killed In live on in the server for a while, and take messages).
//
// Several Ins read one stream each with its own durable. A durable belongs
// to one In: two sharing one would split its deliveries, and the one given
// none of the last frames would wait for them for ever.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// consumer returns the consumer Run reads with.
func (in *In[E]) consumer(ctx context.Context) (jetstream.Consumer, error) {
	if in.cfg.Durable == "" {
		cons, err := in.cfg.JS.OrderedConsumer(ctx, in.cfg.Stream, jetstream.OrderedConsumerConfig{
			DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: in.next})
		if err != nil {
			return nil, fmt.Errorf("bridge: ordered consumer of %q: %w", in.cfg.Stream, err)
		}
		return cons, nil
	}
	cons, err := in.stream.Consumer(ctx, in.cfg.Durable)
	if err == nil {
		return cons, nil // where it is: the mark passes over what the ring holds
	}
	if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("bridge: durable consumer %q of %q: %w", in.cfg.Durable, in.cfg.Stream, err)
	}
	cons, err = in.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       in.cfg.Durable,
		Description:   "disruptor bridge in: stream frames into a ring",
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   in.next,
	})
	if err != nil {
		return nil, fmt.Errorf("bridge: creating durable consumer %q of %q: %w", in.cfg.Durable, in.cfg.Stream, err)
	}
	return cons, nil
}

// catchUpIdle is how long a durable In waits for a message before it
// looks for frames delivered elsewhere (catchUp).
const catchUpIdle = time.Second

// nextMsg is the next message of it: for a durable, nats.ErrTimeout after
// catchUpIdle without one.
func (in *In[E]) nextMsg(it jetstream.MessagesContext) (jetstream.Msg, error) {
	if in.cfg.Durable == "" {
		return it.Next()
	}
	return it.Next(jetstream.NextMaxWait(catchUpIdle))
}

// catchUp writes, for a durable consumer, the frames past the ring's mark
// that the consumer delivered already: their redelivery would wait for
// the consumer's AckWait.
func (in *In[E]) catchUp(ctx context.Context, cons jetstream.Consumer) error {
	if in.cfg.Durable == "" {
		return nil
	}
	ci, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("bridge: durable consumer %q of %q: %w", in.cfg.Durable, in.cfg.Stream, err)
	}
	return in.fill(ctx, ci.Delivered.Stream+1)
}

// ack acknowledges msg, for a durable consumer. A lost ack only means a
// redelivery, which the ring's mark passes over.
func (in *In[E]) ack(msg jetstream.Msg) {
	if in.cfg.Durable != "" {
		msg.Ack()
	}
}

// fill writes the frames from in.next up to (not including) seq, read from
// the stream directly: a durable consumer delivered seq before redelivering
// them. A frame the stream no longer has is ErrGap.
func (in *In[E]) fill(ctx context.Context, seq uint64) error {
	for in.next < seq && !in.done {
		raw, err := in.stream.GetMsg(ctx, in.next)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("%w: stream %q has no sequence %d, which the ring needs next (sequence %d was delivered)", ErrGap, in.cfg.Stream, in.next, seq)
		}
		if err != nil {
			return fmt.Errorf("bridge: stream %q sequence %d: %w", in.cfg.Stream, in.next, err)
		}
		f, err := in.decode(raw.Header, raw.Data, in.next)
		if err != nil {
			return err
		}
		if err := in.write(ctx, f); err != nil {
			return err
		}
	}
	return nil
}
