//go:build linux

package disruptor

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/disruptor-go/disruptor/internal/testevent"
)

// tevCopy is testevent.Event declared again in this package, under another
// name: the same layout.
type tevCopy struct {
	Seq     int64
	Run     uint64
	N       int64
	Time    int64
	Payload [4]uint64
	Sum     uint64
}

// Same fields as tevCopy with two swapped, one renamed, one retyped, and
// the array's length changed.
type (
	tevSwapped struct {
		Run     uint64
		Seq     int64
		N       int64
		Time    int64
		Payload [4]uint64
		Sum     uint64
	}
	tevRenamed struct {
		Seq     int64
		Run     uint64
		Count   int64
		Time    int64
		Payload [4]uint64
		Sum     uint64
	}
	tevRetyped struct {
		Seq     int64
		Run     uint64
		N       int64
		Time    float64
		Payload [4]uint64
		Sum     uint64
	}
	tevShortArray struct {
		Seq     int64
		Run     uint64
		N       int64
		Time    int64
		Payload [3]uint64
		Sum     uint64
		Pad     uint64
	}
)

// The type identity of a shared ring is the layout: a struct declared in
// another package, under another name, with the same fields attaches and
// sees the events; a different field order, name, type or array length is
// refused with ErrTypeMismatch naming the first field that differs.
func TestSharedTypeIdentityByLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create[testevent.Event](path, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	a, err := Attach[tevCopy](path)
	if err != nil {
		t.Fatalf("Attach of a same-layout type from another package: %v", err)
	}
	defer a.Close()
	c, err := a.NewConsumer("c")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev, err := p.TryClaim()
	if err != nil {
		t.Fatal(err)
	}
	*ev = testevent.Event{Seq: 7, Run: 8, N: 9, Payload: [4]uint64{1, 2, 3, 4}, Sum: 10}
	p.Publish()
	got, err := c.TryNext()
	if err != nil {
		t.Fatalf("TryNext through the copy: %v", err)
	}
	if want := (tevCopy{Seq: 7, Run: 8, N: 9, Payload: [4]uint64{1, 2, 3, 4}, Sum: 10}); *got != want {
		t.Fatalf("read %+v through the copy, want %+v", *got, want)
	}

	refuse := func(what string, err error, detail string) {
		t.Helper()
		xonly(t, what, err, ErrTypeMismatch)
		if err != nil && (!strings.Contains(err.Error(), detail) || !strings.Contains(err.Error(), "testevent.Event")) {
			t.Errorf("%s: %q should name the ring's type and say %q", what, err, detail)
		}
	}
	_, err = Attach[tevSwapped](path)
	refuse("Attach with two fields swapped", err, "field Seq: the ring has Seq int64 @0 8, this process Run uint64 @0 8")
	_, err = Attach[tevRenamed](path)
	refuse("Attach with a field renamed", err, "field N: the ring has N int64 @16 8, this process Count int64 @16 8")
	_, err = Attach[tevRetyped](path)
	refuse("Attach with a field retyped", err, "field Time: the ring has Time int64 @24 8, this process Time float64 @24 8")
	_, err = Attach[tevShortArray](path)
	refuse("Attach with an array's length changed", err, "field Payload: the ring has Payload [4]uint64 @32 32, this process Payload [3]uint64 @32 24")
	_, err = Attach[xev](path)
	refuse("Attach of a smaller type", err, "sizes differ")
}
