package disruptor

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/disruptor-go/disruptor/internal/layout"
)

// RingInfo describes a shared ring as its file shows it: geometry, event
// type, positions and participants. Inspect reads it without registering,
// while other processes run the ring.
type RingInfo struct {
	Path          string        `json:"path"`
	Capacity      int           `json:"capacity"`
	SlotSize      int           `json:"slot_size"`
	MultiProducer bool          `json:"multi_producer"`
	MaxConsumers  int           `json:"max_consumers"`
	FileSize      int64         `json:"file_size"`
	Type          string        `json:"type"`
	TypeSize      int           `json:"type_size"`
	TypeHash      uint64        `json:"type_hash"`
	Instance      uint64        `json:"instance"`
	Created       time.Time     `json:"created"`
	CreatorPID    int           `json:"creator_pid"`
	Cursor        int64         `json:"cursor"` // highest claimed (single-producer: published)
	Halted        bool          `json:"halted"`
	Producers     []Participant `json:"producers"`
	Consumers     []Participant `json:"consumers"`
}

// Participant is a producer or consumer of a shared ring.
type Participant struct {
	Name  string `json:"name"`
	Index int    `json:"index"` // table entry
	PID   int    `json:"pid"`
	// State: "live" (its process holds its entry), "dead" (its process died
	// without leaving), "detached" (left to resume later: still gating),
	// "closed" (a producer that sent EOF).
	State    string         `json:"state"`
	Position int64          `json:"position"`           // consumers: the last sequence released
	Lag      int64          `json:"lag"`                // consumers: Cursor - Position
	Beat     time.Time      `json:"beat,omitzero"`      // consumers: last sign of life
	Producer *ProducerStats `json:"producer,omitempty"` // producers' counters
	Consumer *ConsumerStats `json:"consumer,omitempty"` // consumers' counters
	// Counters are every counter of the participant's record by type (see
	// CounterTypes), then its position, as Ring.Counters lists them.
	Counters []Counter `json:"-"`
}

// Inspect reads the shared ring under name (see RingPath) without joining
// it. The file is validated as Attach does, minus the event type.
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
	ctl := &sh.ctl.control
	in := &RingInfo{
		Path: sh.path, Capacity: int(h.Capacity), SlotSize: int(h.SlotSize), MultiProducer: h.MultiProducer,
		MaxConsumers: int(h.MaxConsumers), FileSize: int64(h.FileSize), Type: h.Type.Name,
		TypeSize: int(h.Type.Size), TypeHash: h.Type.Hash, Instance: h.InstanceID,
		Created: time.Unix(0, h.CreatedUnixNano), CreatorPID: h.CreatorPID,
		Cursor: ctl.Cursor.Load(), Halted: ctl.State.Load() == stateHalted,
		Producers: []Participant{}, Consumers: []Participant{},
	}
	for j := range sh.ctl.Table {
		ent := &sh.ctl.Table[j]
		st := ent.State.Load()
		if st != prodActive && st != prodClosed { // free, or not a state at all
			continue
		}
		p := Participant{Name: prodName(ent), Index: j, PID: int(ent.PID.Load()), State: "closed"}
		if st == prodActive {
			p.State = liveness(lockedByOther(sh.f, sh.prodLock(j)), false)
		}
		rec := sh.counterRec(int(sh.geo.MaxConsumers) + j)
		ps := producerStats(p.Name, rec)
		p.Producer = &ps
		p.Counters = recordCounters(rec, "producer", p.Name, in.Cursor)
		in.Producers = append(in.Producers, p)
	}
	recs := sh.recs()
	for i := range min(int(ctl.Records.Load()), len(recs)) {
		rec := &recs[i]
		if rec.State.Load() != recActive {
			continue
		}
		c := Participant{Name: recName(rec), Index: i, PID: int(rec.PID.Load()),
			State:    liveness(lockedByOther(sh.f, sh.recLock(i)), rec.Detached.Load() != 0),
			Position: rec.Cursor.Load(), Beat: time.Unix(0, rec.Beat.Load())}
		c.Lag = max(0, in.Cursor-c.Position)
		cs := consumerStats(c.Name, sh.counterRec(i))
		cs.Position = c.Position
		c.Consumer = &cs
		c.Counters = recordCounters(sh.counterRec(i), "consumer", c.Name, c.Position)
		in.Consumers = append(in.Consumers, c)
	}
	return in
}

// recordCounters reads every counter of role in rec, whatever the record's
// state (a closed producer's counters stay readable), and the position pos.
func recordCounters(rec *counterRecord, role, owner string, pos int64) []Counter {
	ptype := consumerPosition
	if role == "producer" {
		ptype = producerPosition
	}
	out := make([]Counter, 0, len(counterTypes)/2+2)
	for _, t := range counterTypes {
		if t.Role == role {
			out = append(out, Counter{Type: t, Owner: owner, Value: rec.V[t.idx].Load()})
		}
	}
	return append(out, Counter{Type: ptype, Owner: owner, Value: pos})
}

func liveness(locked, detached bool) string {
	switch {
	case locked:
		return "live"
	case detached:
		return "detached"
	default:
		return "dead"
	}
}

// ListRings returns the paths of the ring files in dir (default /dev/shm):
// the files that begin with a ring header. Files it cannot read are left
// out.
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
