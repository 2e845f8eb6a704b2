package disruptor

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
	"github.com/disruptor-go/disruptor/internal/layout"
)

// RingInfo describes a shared ring as its file shows it: geometry, event
// type, positions and participants. Inspect reads it without registering,
// while other processes run the ring.
//
// Its JSON form (`disruptor inspect -json`, `disruptor ls -json`) uses
// snake_case names throughout, the counter type names for counters, and
// strings for the 64-bit identifiers, which JSON numbers (doubles, in jq
// and JavaScript) cannot hold exactly: see docs/json.md.
type RingInfo struct {
	Path          string `json:"path"`           // the ring file
	Capacity      int    `json:"capacity"`       // slots
	SlotSize      int    `json:"slot_size"`      // bytes per slot
	MultiProducer bool   `json:"multi_producer"` // false: a single producer at a time
	// FullBarriers: every process publishes with full barriers, and
	// waiters park with no barrier across processes (a ring whose creator's
	// wait strategy parks at once, like Park)
	FullBarriers bool   `json:"full_barriers"`
	MaxConsumers int    `json:"max_consumers"` // consumer records the file holds
	FileSize     int64  `json:"file_size"`     // bytes
	Type         string `json:"type"`          // the event type's name
	TypeSize     int    `json:"type_size"`     // the event type's size in bytes
	// TypeHash is the event type's layout hash (a JSON string: 64 bits).
	TypeHash uint64 `json:"type_hash,string"`
	// Instance identifies this creation of the file (a JSON string: 64
	// bits): a ring made again under the same name has another.
	Instance   uint64    `json:"instance,string"`
	Created    time.Time `json:"created"`     // RFC 3339 in JSON
	CreatorPID int       `json:"creator_pid"` // the process that made the file
	Cursor     int64     `json:"cursor"`      // highest claimed (single-producer: published)
	Halted     bool      `json:"halted"`      // Halt was called on the ring
	// Producers and Consumers are the tables' entries in use (JSON: never
	// null).
	Producers []Participant `json:"producers"`
	Consumers []Participant `json:"consumers"`
	// Apps are the application counter sets in use (Ring.NewAppCounters),
	// live or left by a process that died (JSON: never null).
	Apps []Participant `json:"apps"`
}

// Participant is a producer or consumer of a shared ring.
type Participant struct {
	Name  string `json:"name"`
	Index int    `json:"index"` // its entry in the producer or consumer table
	PID   int    `json:"pid"`   // its process
	// State is one of StateLive, StateStalled, StateDetached, StateDead,
	// StateEvicted (consumers) and StateClosed (producers).
	State string `json:"state"`
	// Position is, for a consumer, the last sequence it released; for a
	// producer, the ring's cursor (its producer_position counter): the
	// sequences published, for the producer of a single-producer ring, or
	// claimed by all producers of a multi-producer ring.
	Position int64     `json:"position"`
	Lag      int64     `json:"lag"`               // consumers: Cursor - Position; producers: 0
	Beat     time.Time `json:"beat,omitzero"`     // consumers: last sign of life
	Follows  []string  `json:"follows,omitempty"` // consumers: the consumers it follows (AfterName)
	// Producer and Consumer are the participant's counters (one of them
	// set, by its role), under the counter type names in JSON.
	Producer *ProducerStats `json:"producer,omitempty"`
	Consumer *ConsumerStats `json:"consumer,omitempty"`
	// Counters are every counter of the participant's record by type (see
	// CounterTypes), then its position, as Ring.Counters lists them; for
	// an application counter set, its counters.
	Counters []Counter `json:"-"`
	// Role and Values are, for an application counter set only, the set's
	// role and its counters by name.
	Role   string           `json:"role,omitempty"`
	Values map[string]int64 `json:"values,omitempty"`
}

// Participant states, as Inspect reports them.
const (
	// StateLive: the participant's process holds its table entry and, for
	// a consumer, beat its heartbeat within StallAfter.
	StateLive = "live"
	// StateStalled: a consumer whose process holds its entry (it lives)
	// but has not beaten its heartbeat for longer than StallAfter: stopped
	// (SIGSTOP, a debugger), hung, or too slow to read 64 events in that
	// time. It still gates producers.
	StateStalled = "stalled"
	// StateDetached: a consumer that left to resume later; it still gates
	// producers.
	StateDetached = "detached"
	// StateDead: the participant's process died without leaving; a dead
	// consumer still gates producers (unless they evict it, see
	// WithEvictDead).
	StateDead = "dead"
	// StateEvicted: a consumer whose record EvictConsumer took while its
	// process lived: it gates nobody, and its process has yet to learn it
	// (ErrUntethered) and free the record.
	StateEvicted = "evicted"
	// StateClosed: a producer that sent EOF.
	StateClosed = "closed"
)

// StallAfter is how long a live consumer's heartbeat may stop before
// Inspect reports it stalled. A consumer beats every 64 events it reads
// and, while it waits, at every watch: every 100ms while it polls, and on
// waking from a park, which a shared ring bounds to a second (whatever the
// wait strategy's own timeout) so that waiters watch for dead processes.
// So a healthy consumer, idle or busy, beats at least once a second; twice
// that leaves a whole period for scheduling delays on a loaded machine
// before a consumer is called stalled. (A Sleep or Hybrid strategy whose
// sleeps add up to more than that between watches, or a handler that
// takes longer than that over 64 events, makes a healthy consumer look
// stalled.)
const StallAfter = 2 * engine.WatchPark

// Inspect reads the shared ring under name (see RingPath) without joining
// it. The file is validated as Attach does, minus the event type. A file
// truncated while it is read gives ErrTruncated.
func Inspect(name string, opts ...Option) (*RingInfo, error) {
	sh, err := openFile(RingPath(name, opts...))
	if err != nil {
		return nil, err
	}
	defer sh.close()
	return guarded(sh, sh.info)
}

func (sh *shared) info() *RingInfo {
	h := sh.header()
	ctl := &sh.ctl.Control
	in := &RingInfo{
		Path: sh.path, Capacity: int(h.Capacity), SlotSize: int(h.SlotSize), MultiProducer: h.MultiProducer, FullBarriers: h.FullBarriers,
		MaxConsumers: int(h.MaxConsumers), FileSize: int64(h.FileSize), Type: h.Type.Name,
		TypeSize: int(h.Type.Size), TypeHash: h.Type.Hash, Instance: h.InstanceID,
		Created: time.Unix(0, h.CreatedUnixNano), CreatorPID: h.CreatorPID,
		Cursor: ctl.Cursor.Load(), Halted: ctl.State.Load() == engine.StateHalted,
		Producers: []Participant{}, Consumers: []Participant{},
	}
	for j := range sh.ctl.Table {
		ent := &sh.ctl.Table[j]
		st := ent.State.Load()
		if st != engine.ProdActive && st != engine.ProdClosed { // free, or not a state at all
			continue
		}
		p := Participant{Name: prodName(ent), Index: j, PID: int(ent.PID.Load()), State: StateClosed, Position: in.Cursor}
		if st == engine.ProdActive {
			p.State = liveness(lockedByOther(sh.f, sh.prodLock(j)), false)
		}
		rec := sh.counterRec(int(sh.geo.MaxConsumers) + j)
		ps := producerStats(p.Name, rec)
		p.Producer = &ps
		p.Counters = appendRecord(nil, rec, "producer", p.Name, in.Cursor)
		in.Producers = append(in.Producers, p)
	}
	sh.publishedSince(in)
	recs, now := sh.recs(), time.Now()
	for i := range min(int(ctl.Records.Load()), len(recs)) {
		rec := &recs[i]
		if st := rec.State.Load(); st != engine.RecActive && st != recEvicted {
			continue
		}
		c := Participant{Name: recName(rec), Index: i, PID: int(rec.PID.Load()), State: sh.consumerState(i, now),
			Position: rec.Cursor.Load(), Beat: time.Unix(0, rec.Beat.Load())}
		c.Lag = max(0, in.Cursor-c.Position)
		c.Follows = upstreamNames(recs, rec)
		cs := consumerStats(c.Name, sh.counterRec(i))
		cs.Position = c.Position
		c.Consumer = &cs
		c.Counters = appendRecord(nil, sh.counterRec(i), "consumer", c.Name, c.Position)
		in.Consumers = append(in.Consumers, c)
	}
	in.Apps = sh.appInfo()
	return in
}

// publishedSince adds to a single-producer ring's open producer what it
// published since its last flush: the cursor's move past its pMark (the
// open entry with the highest mark is the one the cursor belongs to).
func (sh *shared) publishedSince(in *RingInfo) {
	if in.MultiProducer {
		return
	}
	best, mark := -1, int64(0)
	for k, p := range in.Producers {
		if sh.ctl.Table[p.Index].State.Load() != engine.ProdActive {
			continue
		}
		if m := sh.counterRec(int(sh.geo.MaxConsumers) + p.Index).V[pMark].Load(); m > mark {
			best, mark = k, m
		}
	}
	extra := in.Cursor + 2 - mark // the cursor's move past the marked position
	if best < 0 || extra <= 0 {
		return
	}
	p := &in.Producers[best]
	p.Producer.Published += extra
	p.Producer.Bytes += extra * int64(in.TypeSize)
	for i := range p.Counters {
		switch p.Counters[i].Type.Name {
		case "events_published":
			p.Counters[i].Value += extra
		case "bytes_published":
			p.Counters[i].Value += extra * int64(in.TypeSize)
		}
	}
}

func liveness(locked, detached bool) string {
	switch {
	case locked:
		return StateLive
	case detached:
		return StateDetached
	default:
		return StateDead
	}
}

// consumerState is the state of consumer record i (active or evicted) as
// this handle sees it at now. Consumers of this handle look dead or
// detached: their locks are this handle's own.
func (sh *shared) consumerState(i int, now time.Time) string {
	rec := &sh.recs()[i]
	if rec.State.Load() == recEvicted {
		return StateEvicted
	}
	st := liveness(lockedByOther(sh.f, sh.recLock(i)), rec.Detached.Load() != 0)
	if st == StateLive && now.Sub(time.Unix(0, rec.Beat.Load())) > StallAfter {
		return StateStalled
	}
	return st
}

// ListRings returns the paths of the ring files in dir (default /dev/shm),
// sorted by name: the files that begin with a ring header. Files it cannot
// read are left out; the error is that of reading dir.
func ListRings(dir string) ([]string, error) {
	if dir == "" {
		dir = defaultDir
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if isRingFile(p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func isRingFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [8]byte
	n, _ := f.Read(b[:])
	return n == 8 && string(b[:]) == layout.Magic
}

// String summarises the ring in one line.
func (in *RingInfo) String() string {
	mode := "single-producer"
	if in.MultiProducer {
		mode = "multi-producer"
	}
	return fmt.Sprintf("%s: %d x %s (%d B slots), %s, cursor %d, %d producers, %d consumers",
		in.Path, in.Capacity, in.Type, in.SlotSize, mode, in.Cursor, len(in.Producers), len(in.Consumers))
}
