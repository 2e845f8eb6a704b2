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

	"github.com/disruptor-go/disruptor/internal/buggify"
	"github.com/disruptor-go/disruptor/internal/engine"
)

// AfterName makes the consumer follow the named consumers of a shared ring,
// which may live in other processes, or consumers of an in-process ring made
// by name with NewConsumer.
func AfterName(names ...string) ConsumerOption {
	return func(c *consumerConfig) { c.afterNames = append(c.afterNames, names...) }
}

func checkName(kind, name string) error {
	if name == "" || len(name) > engine.NameMax {
		return fmt.Errorf("disruptor: %s name %q must have 1..%d bytes", kind, name, engine.NameMax)
	}
	return nil
}

func setName(dst *[engine.NameMax]byte, name string) {
	*dst = [engine.NameMax]byte{}
	copy(dst[:], name)
}

func recName(r *engine.ConsumerRecord) string {
	return string(r.Name[:min(uint(r.NameLen.Load()), engine.NameMax)])
}

// recIndex is the table index of a consumer record.
func recIndex(e *engine.Engine, rec *engine.ConsumerRecord) int {
	return tableIndex(e.Recs, rec)
}

// findConsumer returns the index of the active record named name, or -1.
func findConsumer(e *engine.Engine, name string) int {
	n := min(int(e.Ctl.Records.Load()), len(e.Recs))
	for i := 0; i < n; i++ {
		if r := &e.Recs[i]; r.State.Load() == engine.RecActive && recName(r) == name {
			return i
		}
	}
	return -1
}

func (sh *shared) recLock(i int) int64 {
	return consumerEntryOffset(&sh.geo, i)
}

func (sh *shared) prodLock(j int) int64 {
	return producerEntryOffset(&sh.geo, j)
}

// registry runs fn holding the registry lock, guarded (shm_fault.go).
func (sh *shared) registry(fn func() error) error {
	if err := sh.usable(); err != nil {
		return err
	}
	if err := waitLock(sh.f, lockRegistry); err != nil {
		return fmt.Errorf("disruptor: registry lock: %w", err)
	}
	defer unlock(sh.f, lockRegistry)
	return sh.guard(fn)
}

// resumeTally loads a participant's counters from its record, so that
// counts go on across restarts.
func resumeTally(t *engine.Tally) {
	for i := range t.V {
		t.V[i] = t.Rec.V[i].Load()
	}
}

// joinConsumer registers (or resumes) a consumer of a shared ring, which
// follows others by name (its After dependencies too); the ring's mu is
// held.
func (sh *shared) joinConsumer(j *consumerJoin) error {
	name := j.name
	byName, err := depNames(j)
	if err != nil {
		return err
	}
	if err := checkName("consumer", name); err != nil {
		return err
	}
	if sh.ring.keepsConsumer(name) {
		return fmt.Errorf("%w: %q is open in this process", ErrConsumerExists, name)
	}
	e := sh.eng
	return sh.registry(func() error {
		sh.heal(sh.ring.ownsEntry)
		if buggify.Enabled {
			buggify.Pause(buggify.Register)
		}
		if err := sh.claimEvicted(name); err != nil {
			return err
		}
		var ups []int
		for _, up := range byName {
			i := findConsumer(e, up)
			if i < 0 || up == name {
				return fmt.Errorf("%w: %q (followed by %q)", ErrUnknownConsumer, up, name)
			}
			ups = append(ups, i)
			j.deps = append(j.deps, &e.Recs[i].Cursor)
		}
		if len(ups) > engine.MaxUps {
			return fmt.Errorf("disruptor: consumer %q: a shared ring's consumer follows at most %d others, not %d", name, engine.MaxUps, len(ups))
		}
		if i := findConsumer(e, name); i >= 0 { // resume
			rec := &e.Recs[i]
			ok, err := tryLock(sh.f, sh.recLock(i))
			if err != nil || !ok {
				return fmt.Errorf("%w: %q (pid %d)", ErrConsumerExists, name, rec.PID.Load())
			}
			j.found = foundOf(rec)
			rec.PID.Store(int64(os.Getpid()))
			rec.Beat.Store(time.Now().UnixNano())
			rec.Detached.Store(0)
			follow(e, rec, ups)
			j.t.Rec = sh.counterRec(i)
			resumeTally(j.t)
			j.t.Rec.Open(engine.RoleConsumer, i, name)
			j.t.Exact = !j.t.Off
			sh.seat(j, rec, rec.Cursor.Load()+1)
			j.resumed = true
			return nil
		}
		rec, start, err := e.Join(j.latest, func(rec *engine.ConsumerRecord) {
			setName(&rec.Name, name)
			rec.NameLen.Store(uint32(len(name)))
			rec.PID.Store(int64(os.Getpid()))
			rec.Beat.Store(time.Now().UnixNano())
			rec.Detached.Store(0)
			rec.Gen.Add(1)
			rec.NUps.Store(0)
			rec.Followers.Store(0)
		})
		if err != nil {
			return err
		}
		i := recIndex(e, rec)
		if buggify.Enabled {
			buggify.Pause(buggify.Register)
		}
		if ok, err := tryLock(sh.f, sh.recLock(i)); !ok {
			e.Leave(rec)
			return fmt.Errorf("disruptor: consumer %q: record lock: %v", name, err)
		}
		follow(e, rec, ups)
		j.t.Rec = sh.counterRec(i)
		j.t.Rec.Close()
		for k := range j.t.Rec.V {
			j.t.Rec.V[k].Store(0)
		}
		j.t.Rec.Open(engine.RoleConsumer, i, name)
		j.t.Exact = !j.t.Off
		sh.seat(j, rec, start)
		return nil
	})
}

// seat gives the consumer of j the record rec, from start: its waiter
// carries what watch checks (the record, its heartbeat, its upstreams).
func (sh *shared) seat(j *consumerJoin, rec *engine.ConsumerRecord, start int64) {
	j.rec, j.start = rec, start
	j.w.Deps, j.w.Beat, j.w.Rec = j.deps, &rec.Beat, rec
}

// leaveConsumer ends a shared consumer's registration: its record is freed
// (Close) or kept gating for a later resume (keep: detach).
func (sh *shared) leaveConsumer(rec *engine.ConsumerRecord, keep bool) {
	e := sh.eng
	i := recIndex(e, rec)
	if keep {
		rec.Detached.Store(1)
	} else {
		sh.registry(func() error {
			unfollow(e.Recs, rec)
			rec.NameLen.Store(0)
			e.Leave(rec)
			return nil
		})
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
	c.drop()
	if c.group != nil {
		c.group.leave(c, true) // what it holds goes to another member
	}
	c.leaveRecord(true)
	for _, d := range c.ups {
		d.addDependent(-1)
	}
}

// joinProducer registers a producer of a shared ring; the ring's mu is
// held.
func (sh *shared) joinProducer(pj *producerJoin) error {
	name := pj.name
	if err := checkName("producer", name); err != nil {
		return err
	}
	e := sh.eng
	return sh.registry(func() error {
		tab := &sh.ctl.Table
		sh.heal(sh.ring.ownsEntry) // before a dead producer's entry, and what it claimed, is taken over
		live := func(j int) bool { return sh.ring.ownsEntry(j) || lockedByOther(sh.f, sh.prodLock(j)) }
		pick, wedged := -1, -1
		for j := range tab {
			switch tab[j].State.Load() {
			case engine.ProdActive:
				if live(j) {
					if !e.Multi {
						return fmt.Errorf("%w (pid %d)", ErrSingleProducer, tab[j].PID.Load())
					}
					continue
				}
				if _, _, ok := tab[j].ClaimRange(); ok && e.Multi {
					wedged = j // what it claimed is not healed yet: keep its record while others are free
					continue
				}
				if pick < 0 || prodName(&tab[j]) == name {
					pick = j // a dead producer's entry: take it over
				}
			case engine.ProdFree, engine.ProdClosed: // a closed entry is done with (see eofEnds)
				if pick < 0 || (tab[j].State.Load() == engine.ProdClosed && prodName(&tab[j]) == name && prodName(&tab[pick]) != name) {
					pick = j // the same name's closed entry keeps its mark (marks.go)
				}
			}
		}
		if pick < 0 {
			pick = wedged
		}
		if pick < 0 {
			return fmt.Errorf("%w (%d entries)", ErrTooManyProducers, len(tab))
		}
		ent := &tab[pick]
		if ok, err := tryLock(sh.f, sh.prodLock(pick)); !ok {
			return fmt.Errorf("disruptor: producer %q: entry lock: %v", name, err)
		}
		pj.mark, pj.markOK = takeMark(e, ent, name) // before the entry is renamed
		if ent.State.Load() == engine.ProdFree {
			e.Ctl.Producers.Add(1)
		}
		setName(&ent.Name, name)
		ent.NameLen.Store(uint32(len(name)))
		ent.PID.Store(int64(os.Getpid()))
		ent.ClaimLo.Store(engine.ClaimNone)
		if buggify.Enabled {
			buggify.Pause(buggify.Register)
		}
		ent.State.Store(engine.ProdActive)
		if e.Multi {
			pj.st.Intent = ent
		}
		pj.entry = pick
		t := pj.t
		t.Rec = sh.counterRec(len(e.Recs) + pick)
		if t.Rec.LabelText() != name {
			for k := range t.Rec.V {
				t.Rec.V[k].Store(0)
			}
		}
		resumeTally(t)
		t.Rec.Open(engine.RoleProducer, pick, name)
		t.Exact = !t.Off
		pj.st.Last = e.Ctl.Cursor.Load()
		pj.st.Gate = e.Ctl.GateCache.Load()
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
func (sh *shared) markClosed(entry int, eof int64) {
	ent := &sh.ctl.Table[entry]
	ent.EOF.Store(eof)
	ent.State.Store(engine.ProdClosed)
}

// leaveProducer gives up a shared producer's entry after its EOF.
func (sh *shared) leaveProducer(entry int) { unlock(sh.f, sh.prodLock(entry)) }

// evictDead frees the records of consumers whose process died without
// detaching (or after EvictConsumer evicted them). r.mu and the registry
// lock are held, so no consumer is half-registered.
func (r *Ring[E]) evictDead() {
	sh, e := r.sh, &r.eng
	own := make(map[*engine.ConsumerRecord]bool, len(r.consumers))
	for _, c := range r.consumers {
		if c.keepsRecord() {
			own[c.rec] = true
		}
	}
	n := min(int(e.Ctl.Records.Load()), len(e.Recs))
	for i := 0; i < n; i++ {
		rec := &e.Recs[i]
		if st := rec.State.Load(); st != engine.RecActive && st != recEvicted || rec.Detached.Load() != 0 || own[rec] {
			continue
		}
		if buggify.Enabled {
			buggify.Pause(buggify.Evict)
		}
		if !lockedByOther(sh.f, sh.recLock(i)) {
			sh.freeRecord(i) // nobody can resume it meanwhile
		}
	}
}

// WaitForConsumers waits until the ring has at least n registered consumers
// (in any process), ctx ends, or the ring halts. It returns nil once they
// are there; an error wrapping ctx's error (and saying how many there are)
// when ctx ends first; ErrHalted when the ring halts; on a shared ring,
// ErrClosed after the ring's Close and ErrTruncated.
func (r *Ring[E]) WaitForConsumers(ctx context.Context, n int) error {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		if err := r.sh.checkMapping(); err != nil {
			return err
		}
		if r.Consumers() >= n {
			return nil
		}
		if r.eng.Halted() {
			return r.eng.HaltErr()
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
	for i := range min(int(e.Ctl.Records.Load()), len(e.Recs)) {
		if e.Recs[i].State.Load() == engine.RecActive {
			k++
		}
	}
	return k
}
