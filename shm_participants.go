package disruptor

// Registration and liveness of the participants of a shared ring.
//
// Registration (of producers and consumers) happens under the registry lock,
// so names stay unique across processes. A participant holds an OFD lock on
// the first byte of its table entry while its handle is open: the kernel
// drops it when the process dies, however it dies. So an entry in use whose
// byte no other handle has locked, and that this handle does not own,
// belongs to a dead process (or, for a consumer marked Detached, to one that
// left on purpose to resume later).

import (
	"context"
	"fmt"
	"os"
	"time"
	"unsafe"
)

// AfterName makes the consumer follow the named consumers of a shared ring,
// which may live in other processes, or consumers of an in-process ring made
// by name with NewConsumer.
func AfterName(names ...string) ConsumerOption {
	return func(c *consumerConfig) { c.afterNames = append(c.afterNames, names...) }
}

func checkName(kind, name string) error {
	if name == "" || len(name) > nameMax {
		return fmt.Errorf("disruptor: %s name %q must have 1..%d bytes", kind, name, nameMax)
	}
	return nil
}

func setName(dst *[nameMax]byte, name string) { *dst = [nameMax]byte{}; copy(dst[:], name) }

func recName(r *consumerRecord) string {
	return string(r.Name[:min(int(r.NameLen.Load()), nameMax)])
}

// recIndex is the table index of a consumer record.
func (e *engine) recIndex(rec *consumerRecord) int {
	return int((uintptr(unsafe.Pointer(rec)) - uintptr(unsafe.Pointer(&e.recs[0]))) / unsafe.Sizeof(*rec))
}

// findConsumer returns the index of the active record named name, or -1.
func (e *engine) findConsumer(name string) int {
	n := min(int(e.ctl.Records.Load()), len(e.recs))
	for i := 0; i < n; i++ {
		if r := &e.recs[i]; r.State.Load() == recActive && recName(r) == name {
			return i
		}
	}
	return -1
}

func (sh *shared) recLock(i int) int64 {
	return int64(sh.geo.Consumers.Offset) + int64(i)*int64(sh.geo.ConsumerEntrySize)
}

func (sh *shared) prodLock(j int) int64 {
	return int64(sh.geo.Control.Offset) + int64(unsafe.Offsetof(sharedControl{}.Table)) + int64(j)*int64(unsafe.Sizeof(producerRecord{}))
}

// registry runs fn holding the registry lock.
func (sh *shared) registry(fn func() error) error {
	if err := waitLock(sh.f, lockRegistry); err != nil {
		return fmt.Errorf("disruptor: registry lock: %w", err)
	}
	defer unlock(sh.f, lockRegistry)
	return fn()
}

// resumeTally loads a participant's counters from its record, so that
// counts go on across restarts.
func resumeTally(t *tally) {
	for i := range t.v {
		t.v[i] = t.rec.V[i].Load()
	}
}

// newSharedConsumer registers (or resumes) a consumer of a shared ring;
// r.mu is held.
func (r *Ring[E]) newSharedConsumer(c *Consumer[E], name string, cfg *consumerConfig) error {
	if err := checkName("consumer", name); err != nil {
		return err
	}
	for _, o := range r.consumers {
		if o.name == name && o.keepsRecord() {
			return fmt.Errorf("%w: %q is open in this process", ErrConsumerExists, name)
		}
	}
	sh, e := r.sh, &r.eng
	return sh.registry(func() error {
		for _, up := range cfg.afterNames {
			i := e.findConsumer(up)
			if i < 0 {
				return fmt.Errorf("%w: %q (followed by %q)", ErrUnknownConsumer, up, name)
			}
			c.deps = append(c.deps, &e.recs[i].Cursor)
			c.site = e.depSite
		}
		if i := e.findConsumer(name); i >= 0 { // resume
			rec := &e.recs[i]
			ok, err := tryLock(sh.f, sh.recLock(i))
			if err != nil || !ok {
				return fmt.Errorf("%w: %q (pid %d)", ErrConsumerExists, name, rec.PID.Load())
			}
			rec.PID.Store(int64(os.Getpid()))
			rec.Beat.Store(time.Now().UnixNano())
			rec.Detached.Store(0)
			c.rec = rec
			c.t.rec = &sh.counters[i]
			resumeTally(&c.t)
			c.t.rec.open(roleConsumer, i, name)
			c.setStart(rec.Cursor.Load() + 1)
			c.resumed = true
			return nil
		}
		rec, start, err := e.join(cfg.latest, func(rec *consumerRecord) {
			setName(&rec.Name, name)
			rec.NameLen.Store(uint32(len(name)))
			rec.PID.Store(int64(os.Getpid()))
			rec.Beat.Store(time.Now().UnixNano())
			rec.Detached.Store(0)
		})
		if err != nil {
			return err
		}
		i := e.recIndex(rec)
		if ok, err := tryLock(sh.f, sh.recLock(i)); !ok {
			e.leave(rec)
			return fmt.Errorf("disruptor: consumer %q: record lock: %v", name, err)
		}
		c.rec = rec
		c.t.rec = &sh.counters[i]
		c.t.rec.close()
		for k := range c.t.rec.V {
			c.t.rec.V[k].Store(0)
		}
		c.t.rec.open(roleConsumer, i, name)
		c.setStart(start)
		return nil
	})
}

// leaveShared ends a shared consumer's registration: its record is freed
// (Close) or kept gating for a later resume (detach).
func (c *Consumer[E]) leaveShared(keep bool) {
	sh := c.r.sh
	i := c.r.eng.recIndex(c.rec)
	if keep {
		c.rec.Detached.Store(1)
	} else {
		c.rec.NameLen.Store(0)
		c.r.eng.leave(c.rec)
	}
	unlock(sh.f, sh.recLock(i))
}

// Detach ends this handle's use of a shared ring's consumer but keeps its
// record, which goes on gating producers: a process that attaches later
// with the same name resumes right after the last event this one released,
// losing nothing. (Close, instead, frees the record.) For an in-process
// ring, Detach is Close.
func (c *Consumer[E]) Detach() error {
	if c.r.sh == nil {
		return c.Close()
	}
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.detachLocked()
	return nil
}

// detachLocked detaches an open consumer; r.mu is held.
func (c *Consumer[E]) detachLocked() {
	if c.closed {
		return
	}
	if c.group == nil && !c.leased {
		c.release(c.next - 1)
	}
	c.flushStats()
	c.closed, c.plain = true, false
	c.hi = c.next - 1
	if c.group != nil {
		c.group.leave(c, true) // what it holds goes to another member
	}
	c.leaveShared(true)
	for _, d := range c.ups {
		d.addDependent(-1)
	}
}

// newSharedProducer registers a producer of a shared ring; r.mu is held.
func (r *Ring[E]) newSharedProducer(p *Producer[E], name string) error {
	if err := checkName("producer", name); err != nil {
		return err
	}
	sh, e := r.sh, &r.eng
	return sh.registry(func() error {
		tab := &sh.ctl.Table
		live := func(j int) bool { return r.ownsEntry(j) || lockedByOther(sh.f, sh.prodLock(j)) }
		pick := -1
		for j := range tab {
			switch tab[j].State.Load() {
			case prodActive:
				if live(j) {
					if !e.multi {
						return fmt.Errorf("%w (pid %d)", ErrSingleProducer, tab[j].PID.Load())
					}
					continue
				}
				if pick < 0 || string(tab[j].Name[:tab[j].NameLen.Load()]) == name {
					pick = j // a dead producer's entry: take it over
				}
			case prodFree, prodClosed: // a closed entry is done with (see eofEnds)
				if pick < 0 {
					pick = j
				}
			}
		}
		if pick < 0 {
			return fmt.Errorf("%w (%d entries)", ErrTooManyProducers, len(tab))
		}
		ent := &tab[pick]
		if ok, err := tryLock(sh.f, sh.prodLock(pick)); !ok {
			return fmt.Errorf("disruptor: producer %q: entry lock: %v", name, err)
		}
		if ent.State.Load() == prodFree {
			e.ctl.Producers.Add(1)
		}
		setName(&ent.Name, name)
		ent.NameLen.Store(uint32(len(name)))
		ent.PID.Store(int64(os.Getpid()))
		ent.State.Store(prodActive)
		p.entry = pick
		p.t.rec = &sh.counters[len(e.recs)+pick]
		if p.t.rec.label() != name {
			for k := range p.t.rec.V {
				p.t.rec.V[k].Store(0)
			}
		}
		resumeTally(&p.t)
		p.t.rec.open(roleProducer, pick, name)
		p.st.last = e.ctl.Cursor.Load()
		p.st.gate = e.ctl.GateCache.Load()
		return nil
	})
}

// ownsEntry reports whether a producer of this handle holds table entry j.
func (r *Ring[E]) ownsEntry(j int) bool {
	for _, p := range r.producers {
		if p.entry == j && !p.closed {
			return true
		}
	}
	return false
}

// markClosed marks a shared producer's entry closed, with eof, the
// sequence of its EOF marker, before the marker is published: a consumer
// that reads the marker sees the entry closed.
func (p *Producer[E]) markClosed(eof int64) {
	ent := &p.r.sh.ctl.Table[p.entry]
	ent.EOF.Store(eof)
	ent.State.Store(prodClosed)
}

// closeShared gives up a shared producer's entry after its EOF.
func (p *Producer[E]) closeShared() {
	sh := p.r.sh
	unlock(sh.f, sh.prodLock(p.entry))
}

// eofEnds reports whether the EOF marker at s ends a shared ring's stream:
// no producer is open, and every closed one sent its EOF at or before s.
// Producers of a shared ring come and go (a closed entry is reused by the
// next producer), so counting EOFs cannot tell: a consumer may start, or
// resume, past the EOFs of earlier producers. An entry reused after the
// marker at s is open or closed after s, so the stream goes on.
func (sh *shared) eofEnds(s int64) bool {
	for j := range sh.ctl.Table {
		ent := &sh.ctl.Table[j]
		switch ent.State.Load() {
		case prodActive:
			return false
		case prodClosed:
			if ent.EOF.Load() > s {
				return false
			}
		}
	}
	return true
}

// watch is the engine's liveness check for shared rings.
func (r *Ring[E]) watch(producer bool) error {
	sh, e := r.sh, &r.eng
	if producer {
		if e.evictDead {
			return sh.registry(func() error { r.evictDead(); return nil })
		}
		return nil
	}
	open, live := false, false
	for j := range sh.ctl.Table {
		if sh.ctl.Table[j].State.Load() == prodActive {
			open = true
			if lockedByOther(sh.f, sh.prodLock(j)) || r.ownsEntryLocked(j) {
				live = true
			}
		}
	}
	if open && !live {
		return fmt.Errorf("%w: no live producer on %s", ErrProducerGone, sh.path)
	}
	return nil
}

func (r *Ring[E]) ownsEntryLocked(j int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ownsEntry(j)
}

// evictDead frees the records of consumers whose process died without
// detaching. The registry lock is held, so no consumer is half-registered.
func (r *Ring[E]) evictDead() {
	sh, e := r.sh, &r.eng
	r.mu.Lock()
	own := make(map[*consumerRecord]bool, len(r.consumers))
	for _, c := range r.consumers {
		if c.keepsRecord() {
			own[c.rec] = true
		}
	}
	r.mu.Unlock()
	n := min(int(e.ctl.Records.Load()), len(e.recs))
	for i := 0; i < n; i++ {
		rec := &e.recs[i]
		if rec.State.Load() != recActive || rec.Detached.Load() != 0 || own[rec] {
			continue
		}
		if lockedByOther(sh.f, sh.recLock(i)) {
			continue
		}
		if ok, _ := tryLock(sh.f, sh.recLock(i)); ok { // nobody can resume it meanwhile
			rec.NameLen.Store(0)
			e.leave(rec)
			unlock(sh.f, sh.recLock(i))
		}
	}
}

// WaitForConsumers waits until the ring has at least n registered consumers
// (in any process), ctx ends, or the ring halts.
func (r *Ring[E]) WaitForConsumers(ctx context.Context, n int) error {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		if r.Consumers() >= n {
			return nil
		}
		if r.eng.halted() {
			return ErrHalted
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("disruptor: waiting for %d consumers (have %d): %w", n, r.Consumers(), ctx.Err())
		case <-t.C:
		}
	}
}

// Consumers counts the registered consumers (work group members count one
// each), in every process.
func (r *Ring[E]) Consumers() int {
	e := &r.eng
	k := 0
	for i := range min(int(e.ctl.Records.Load()), len(e.recs)) {
		if e.recs[i].State.Load() == recActive {
			k++
		}
	}
	return k
}
