package typecheck

import (
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"
	"unsafe"
)

type (
	Leg struct {
		Symbol string
		Qty    int64
	}
	Order struct {
		ID   uint64
		Legs [2]Leg
	}
	Sym      string
	Quote    struct{ S Sym }
	Embeds   struct{ Leg }
	Price    int64
	Fill     struct{ P, Q Price }
	Nested   struct{ F [3]Fill }
	Counters struct {
		Hits atomic.Int64
		Gen  atomic.Uint32
		_    [116]byte
	}
	Flags struct {
		On  bool
		Z   complex128
		F32 float32
		Raw [8]uint8
		E   struct{}
		N   [0]int
	}
	node struct{ next *node }
	PtrT *int
)

func TestCheckAccepts(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[int](), reflect.TypeFor[uint16](), reflect.TypeFor[bool](),
		reflect.TypeFor[float64](), reflect.TypeFor[complex64](), reflect.TypeFor[[4]byte](),
		reflect.TypeFor[struct{}](), reflect.TypeFor[Price](), reflect.TypeFor[Fill](),
		reflect.TypeFor[Nested](), reflect.TypeFor[Counters](), reflect.TypeFor[Flags](),
		reflect.TypeFor[[2][3]struct{ A, B int32 }](),
	} {
		if err := Check(typ); err != nil {
			t.Errorf("Check(%v) = %v, want nil", typ, err)
		}
	}
}

func TestCheckRejects(t *testing.T) {
	cases := []struct {
		typ  reflect.Type
		want string // the whole message
	}{
		{reflect.TypeFor[Order](), "Order.Legs[0].Symbol: string holds a pointer"},
		{reflect.TypeFor[string](), "string: string holds a pointer"},
		{reflect.TypeFor[*int](), "*int: *int holds a pointer"},
		{reflect.TypeFor[[]byte](), "[]uint8: []uint8 holds a pointer"},
		{reflect.TypeFor[map[int]int](), "map[int]int: map[int]int holds a pointer"},
		{reflect.TypeFor[unsafe.Pointer](), "unsafe.Pointer: unsafe.Pointer holds a pointer"},
		{reflect.TypeFor[any](), "interface {}: interface {} holds a pointer"},
		{reflect.TypeFor[chan int](), "chan int: chan int holds a pointer"},
		{reflect.TypeFor[func()](), "func(): func() holds a pointer"},
		{reflect.TypeFor[uintptr](), "uintptr: uintptr holds an address, meaningless in another process"},
		{reflect.TypeFor[Quote](), "Quote.S: typecheck.Sym (a string) holds a pointer"},
		{reflect.TypeFor[struct{ P PtrT }](), "struct { P typecheck.PtrT }.P: typecheck.PtrT (a pointer) holds a pointer"},
		{reflect.TypeFor[struct{ E error }](), "struct { E error }.E: error holds a pointer"},
		{reflect.TypeFor[Embeds](), "Embeds.Leg.Symbol: string holds a pointer"},
		{reflect.TypeFor[[3][]int](), "[3][]int[0]: []int holds a pointer"},
		{reflect.TypeFor[struct{ A [0]*int }](), "struct { A [0]*int }.A[0]: *int holds a pointer"},
		{reflect.TypeFor[atomic.Pointer[int]](), "Pointer[int]._[0]: *int holds a pointer"},
		{reflect.TypeFor[node](), "node.next: *typecheck.node holds a pointer"},
		{nil, "<nil>: no type"},
	}
	for _, c := range cases {
		err := Check(c.typ)
		if !errors.Is(err, ErrNotShareable) {
			t.Errorf("Check(%v) = %v, want ErrNotShareable", c.typ, err)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || err.Error() != c.want || e.Path+": "+e.Reason != c.want {
			t.Errorf("Check(%v) = %q, want %q", c.typ, err, c.want)
		}
	}
}

// Two definitions with the same layout; and variants of it, each differing
// in one way that must change the identity hash.
type (
	pointA struct {
		X int32
		Y float64
		T [2]uint16
	}
	pointB struct {
		X int32
		Y float64
		T [2]uint16
	}
	renamed struct {
		X int32
		Z float64
		T [2]uint16
	}
	reordered struct {
		Y float64
		X int32
		T [2]uint16
	}
	retyped struct { // same size, other kind
		X uint32
		Y float64
		T [2]uint16
	}
	resized struct {
		X int64
		Y float64
		T [2]uint16
	}
	relength struct {
		X int32
		Y float64
		T [3]uint16
	}
	nestedA struct{ In struct{ A, B uint8 } }
	nestedB struct{ In struct{ A, C uint8 } }
)

func TestIdentityHash(t *testing.T) {
	_, _, _, a := Identity(reflect.TypeFor[pointA]())
	_, _, _, b := Identity(reflect.TypeFor[pointB]())
	if a != b {
		t.Fatalf("same layout, different hashes: %#x, %#x", a, b)
	}
	seen := map[uint64]string{a: "pointA"}
	for _, typ := range []reflect.Type{
		reflect.TypeFor[renamed](), reflect.TypeFor[reordered](), reflect.TypeFor[retyped](),
		reflect.TypeFor[resized](), reflect.TypeFor[relength](), reflect.TypeFor[nestedA](),
		reflect.TypeFor[nestedB](), reflect.TypeFor[[2]pointA](), reflect.TypeFor[[1]pointA](),
		reflect.TypeFor[int32](), reflect.TypeFor[uint32](), reflect.TypeFor[float32](),
	} {
		_, _, _, h := Identity(typ)
		if prev, dup := seen[h]; dup {
			t.Errorf("%v and %s have the same hash %#x", typ, prev, h)
		}
		seen[h] = typ.String()
	}
}

// TestIdentityGolden pins the hash encoding: processes built by different
// versions of this package must agree on it. Only types whose layout is the
// same on every architecture are pinned.
func TestIdentityGolden(t *testing.T) {
	type golden struct {
		A uint32
		B [2]uint8
		C uint16
	}
	name, size, align, hash := Identity(reflect.TypeFor[golden]())
	if name != "typecheck.golden" || size != 8 || align != 4 {
		t.Fatalf("Identity = %q, %d, %d", name, size, align)
	}
	const want = 0x3639039e1dd0db65
	if hash != want {
		t.Fatalf("hash = %#x, want %#x: the encoding changed, and with it every ring's identity", hash, uint64(want))
	}
}

func TestIdentityName(t *testing.T) {
	name, size, align, _ := Identity(reflect.TypeFor[pointA]())
	if name != "typecheck.pointA" || size != unsafe.Sizeof(pointA{}) || align != unsafe.Alignof(pointA{}) {
		t.Errorf("Identity(pointA) = %q, %d, %d", name, size, align)
	}
	long := reflect.TypeFor[struct {
		AVeryLongFieldName, AnotherVeryLongFieldName, YetAnotherOne int32
	}]()
	name, _, _, _ = Identity(long)
	if len(name) != MaxNameLen || !strings.HasPrefix(long.String(), name) {
		t.Errorf("long name cut to %q (%d bytes)", name, len(name))
	}
	if got := truncate("ééé", 5); got != "éé" || !utf8.ValidString(got) {
		t.Errorf("truncate split a character: %q", got)
	}
	// Identity of a type Check refuses does not recurse forever.
	if _, _, _, h := Identity(reflect.TypeFor[node]()); h == 0 {
		t.Error("zero hash")
	}
}

// Describe gives one line a field, nested fields and first array elements
// included, with offsets from the start; same layout, same description.
func TestDescribe(t *testing.T) {
	type leg struct {
		Qty   int32
		Price [2]uint16
	}
	type order struct {
		A    uint32
		Legs [3]leg
		C    uint16
	}
	const want = "A uint32 @0 4\n" +
		"Legs [3]struct @4 24\n" +
		"Legs[0] struct @4 8\n" +
		"Legs[0].Qty int32 @4 4\n" +
		"Legs[0].Price [2]uint16 @8 4\n" +
		"Legs[0].Price[0] uint16 @8 2\n" +
		"C uint16 @28 2"
	if got := Describe(reflect.TypeFor[order]()); got != want {
		t.Errorf("Describe(order) =\n%s\nwant\n%s", got, want)
	}
	a := Describe(reflect.TypeFor[pointA]())
	if b := Describe(reflect.TypeFor[pointB]()); a != b {
		t.Errorf("same layout, different descriptions:\n%s\n%s", a, b)
	}
	for _, typ := range []reflect.Type{
		reflect.TypeFor[renamed](), reflect.TypeFor[reordered](), reflect.TypeFor[retyped](),
		reflect.TypeFor[resized](), reflect.TypeFor[relength](),
	} {
		if d := Describe(typ); d == a {
			t.Errorf("%v has pointA's description %q", typ, d)
		}
	}
}
