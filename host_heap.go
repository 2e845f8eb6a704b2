package disruptor

import "github.com/disruptor-go/disruptor/internal/engine"
import "fmt"

// heapHost is the host of an in-process ring: the engine's words are on the
// Go heap, and only this handle's participants use them. Nothing outlives
// the handle, so there is nothing to resume, to watch or to heal: producers
// and consumers are counted, and the handle's own lists (handle) answer for
// marks and counters.
type heapHost struct {
	eng  *engine.Engine
	ring handle
}

func (h *heapHost) usable() error                           { return nil }
func (h *heapHost) ringPath() string                        { return "" }
func (h *heapHost) site(w *engine.ParkWord) engine.ParkSite { return &engine.ChanSite{Word: w} }

func (h *heapHost) observable() error {
	return fmt.Errorf("%w: observers read shared rings; an in-process ring's readers are consumers", ErrNotSupported)
}

// joinProducer: one producer in single-producer mode, any number otherwise;
// each counts in Producers, whose EOFs end the stream (lastEOF).
func (h *heapHost) joinProducer(j *producerJoin) error {
	e := h.eng
	if !e.Multi && j.made > 0 {
		return ErrSingleProducer
	}
	j.t.Rec.Open(engine.RoleProducer, j.made, j.name)
	j.st.Last = e.Ctl.Cursor.Load()
	j.st.Gate = e.Ctl.GateCache.Load()
	e.Ctl.Producers.Add(1)
	e.Members.Add(1)
	return nil
}

func (h *heapHost) markClosed(int, int64) {} // the engine counts closed producers (pastEnd)
func (h *heapHost) leaveProducer(int)     {}

// joinConsumer follows the dependencies given (After) and the open
// consumers of this handle named (AfterName), which are followed as if
// given: j.after gets them.
func (h *heapHost) joinConsumer(j *consumerJoin) error {
	for _, up := range j.afterNames {
		d := h.ring.namedConsumer(up)
		if d == nil {
			return fmt.Errorf("%w: %q (followed by %q)", ErrUnknownConsumer, up, j.name)
		}
		j.after = append(j.after, d)
	}
	for _, d := range j.after {
		owner, words := d.cursors()
		if owner != j.owner {
			return fmt.Errorf("%w: consumer %q", ErrForeignDependency, j.name)
		}
		if d.isClosed() {
			return fmt.Errorf("%w: consumer %q cannot follow a closed consumer", ErrClosed, j.name)
		}
		j.deps = append(j.deps, words...)
	}
	rec, start, err := h.eng.Join(j.latest, nil)
	if err != nil {
		return err
	}
	j.rec, j.start = rec, start
	j.t.Rec.Open(engine.RoleConsumer, recIndex(h.eng, rec), j.name)
	return nil
}

func (h *heapHost) leaveConsumer(rec *engine.ConsumerRecord, _ bool) { h.eng.Leave(rec) }

func (h *heapHost) abandonConsumer(rec *engine.ConsumerRecord, t *engine.Tally, _ *foundRecord) {
	t.Rec.Close()
	h.eng.Leave(rec)
}

func (h *heapHost) followers(_ *engine.ConsumerRecord, here int32) int32 { return here }

func (h *heapHost) lastEOF(_, eofs int64) bool { return eofs >= int64(h.eng.Ctl.Producers.Load()) }

// pastEnd: two counts compared, cheap enough for every poll.
func (h *heapHost) pastEnd(w endWatch, next, _ int64) (bool, endWatch) {
	e := h.eng
	return e.Closed.Load() >= int64(e.Ctl.Producers.Load()) && next > e.Claimed(), w
}

func (h *heapHost) stageMark(int, int64, uint64) {} // the producer keeps its mark
func (h *heapHost) commitMark(int, uint64)       {}

// producerMark: that of the producer of the name made last.
func (h *heapHost) producerMark(name string) (uint64, bool, error) {
	m, ok, _ := h.ring.producerMarkOf(name, false)
	return m, ok, nil
}

func (h *heapHost) statsOf(rec *engine.CounterRecord) *engine.CounterRecord { return rec }

func (h *heapHost) readCounters() []Counter { return h.ring.ownCounters() }

func (h *heapHost) appValues(out []Counter, open []*AppCounters) []Counter {
	for _, a := range open {
		out = readApp(out, a.rec.Load())
	}
	return out
}

func (h *heapHost) openApps(a *AppCounters, role, owner string) (func(), error) {
	rec := new(appRecord)
	rec.fill(role, owner, a.types, 0)
	a.rec.Store(rec)
	return rec.Close, nil
}

func (h *heapHost) reportStats() ([]ProducerStats, []ConsumerStats, error) {
	ps, cs := h.ring.ownStats()
	return ps, cs, nil
}
