package inlcheck

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

// mustInline are the hot methods that must inline: the test fails when one
// does not. Names are Type.Method of the root package, judged at their int64
// shape. Move a name here from wantInline once it inlines.
var mustInline = []string{
	"Batch.At",
	"Consumer.TryNext",
	// the fast paths' pieces that Claim, Publish and Put share
	"Producer.casClaim",
	"Producer.storeCursor",
	"Producer.storeAvail",
}

// wantInline are the hot methods meant to inline that do not: the test only
// logs their verdicts. Each has a fast path and a call to its slow path,
// and a call that passes a context and returns a value and an error alone
// costs the inliner about 70 of its budget of 80 (the smallest such method,
// a field test, an increment and a slice index around the call, costs 90 to
// 97): they stay calls, kept short (see scripts/pathlen). The floor, with
// Go 1.26: `if e := p.ready; e != nil { return e, nil }; return
// p.slow(ctx)`, a pointer's load and test and nothing else, costs 87 as a
// method of a generic type at its shape and 83 as a plain method.
var wantInline = []string{
	"Producer.Claim",
	"Producer.Publish",
	"Consumer.Next",
	"Producer.TryClaim",
}

// alsoShown are reported in the verbose table, for the record, when the
// compiler reports them (the unexported ones come and go with the engine).
var alsoShown = []string{
	"Producer.Put",
	"Producer.ClaimN",
	"Producer.TryClaimN",
	"Consumer.Batch",
	"Consumer.observe",
	"Producer.publishAs",
	"engine.Engine.publishSingle",
	"engine.Engine.Publish",
	"engine.Engine.Claim",
}

// verdict is the compiler's word on one function.
type verdict struct {
	inlines bool
	cost    int    // -1: not given (e.g. marked go:noinline)
	reason  string // why not, for those that do not inline
}

// The compiler's lines, for example
//
//	./producer.go:68:6: can inline disruptor.(*Producer[go.shape.int64]).Claim with cost 72 as: ...
//	./producer.go:134:6: cannot inline disruptor.(*Producer[go.shape.int64]).Publish: function too complex: cost 559 exceeds budget 80
var (
	verdictLine = regexp.MustCompile(`: (can|cannot) inline (\S+?)(?:: (.*)| with cost (\d+)|$)`)
	costIn      = regexp.MustCompile(`cost (\d+) exceeds budget`)
)

const module = "github.com/disruptor-go/disruptor"

// normalize turns the compiler's name of a function, reported while it
// compiled package pkg, into the name the lists use: Type.Method for the
// root package's (Producer.Claim), pkg.Type.Method for another package of
// the module (engine.Engine.Claim, of internal/engine). It says whether the name is one the lists are about:
// a generic function's int64 shape, or a function that is not generic; not
// instantiation wrappers such as (*Producer[int64]).Claim, which only call
// the shape, nor this package's own functions.
func normalize(pkg, name string) (string, bool) {
	shape := strings.Contains(name, "[go.shape.int64]")
	if !shape && strings.Contains(name, "[") {
		return "", false
	}
	name = strings.NewReplacer("(*", "", ")", "", "[go.shape.int64]", "").Replace(name)
	local, ok := strings.CutPrefix(pkg, module+"/internal/")
	switch {
	case pkg == module:
		return name, true
	case !ok:
		return "", false
	case local != "inlcheck":
		return local + "." + name, true // a function of internal/<local>
	}
	// Compiling this package: instantiations of the module's generic
	// functions, qualified by their package's name.
	if rest, ok := strings.CutPrefix(name, "disruptor."); ok {
		return rest, shape
	}
	if _, _, qualified := strings.Cut(name, "."); qualified && shape {
		return name, true
	}
	return "", false
}

// parse reads the verdicts of the module's functions from the output of go
// build -gcflags=<module>/...=-m=2, in which a line "# <package>" heads
// each package's reports.
func parse(r io.Reader) (map[string]verdict, error) {
	out := map[string]verdict{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	pkg := ""
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "# "); ok {
			pkg, _, _ = strings.Cut(p, " ")
			continue
		}
		m := verdictLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name, ok := normalize(pkg, m[2])
		if !ok {
			continue
		}
		v := verdict{inlines: m[1] == "can", cost: -1, reason: m[3]}
		if c := m[4]; c != "" {
			v.cost, _ = strconv.Atoi(c)
		} else if c := costIn.FindStringSubmatch(m[3]); c != nil {
			v.cost, _ = strconv.Atoi(c[1])
		}
		out[name] = v
	}
	return out, sc.Err()
}

func TestParse(t *testing.T) {
	in := `# github.com/disruptor-go/disruptor/internal/layout
./header.go:10:6: can inline (*Header).Check with cost 20 as: ...
# github.com/disruptor-go/disruptor
./engine.go:202:6: cannot inline (*engine).publish: function too complex: cost 209 exceeds budget 80
./ring.go:149:6: cannot inline (*engine).publishAvail: marked go:noinline
# github.com/disruptor-go/disruptor/internal/engine
./claim.go:20:6: can inline (*Engine).Claim with cost 40 as: ...
# github.com/disruptor-go/disruptor/internal/inlcheck
../../producer.go:68:6: cannot inline disruptor.(*Producer[go.shape.int64]).Claim: function too complex: cost 145 exceeds budget 80
../../producer.go:68:6: can inline disruptor.(*Producer[int64]).Claim with cost 72 as: method(*disruptor.Producer[int64]) func(context.Context) (*int64, error) { return .autotmp_4, .autotmp_5 }
../../producer.go:266:6: can inline disruptor.Batch[go.shape.int64].At with cost 60 as: method(disruptor.Batch[go.shape.int64]) func(int) *go.shape.int64 { ... }
../../consumer.go:183:6: inlining call to disruptor.(*Consumer[go.shape.int64]).TryNext
../engine/ring.go:9:6: can inline engine.(*Slots[go.shape.int64]).At with cost 12 as: ...
./inlcheck.go:16:6: can inline NewRing with cost 70 as: func(int) (*disruptor.Ring[int64], error) { ... }
`
	got, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]verdict{
		"Producer.Claim":      {false, 145, "function too complex: cost 145 exceeds budget 80"},
		"Batch.At":            {true, 60, ""},
		"engine.publish":      {false, 209, "function too complex: cost 209 exceeds budget 80"},
		"engine.publishAvail": {false, -1, "marked go:noinline"},
		"engine.Engine.Claim": {true, 40, ""},
		"engine.Slots.At":     {true, 12, ""},
		"layout.Header.Check": {true, 20, ""},
	}
	if len(got) != len(want) {
		t.Errorf("parsed %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: parsed %+v, want %+v", name, got[name], w)
		}
	}
}

// TestIntendedInlining builds this package with -m=2 on the module's
// packages (the root package reports its non-generic functions, this one the
// int64 shapes of the generic ones) and checks
// the verdicts on the hot methods: every name of mustInline must inline;
// wantInline's are logged; every listed name must have a verdict at all
// (else the build or the parsing has gone wrong). With -v it prints a table
// of costs against the budget of 80.
func TestIntendedInlining(t *testing.T) {
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gotool, "build", "-o", os.DevNull, "-gcflags="+module+"/...=-m=2", ".")
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("%v: %v\n%s", cmd, err, tail(out))
		}
		t.Skipf("cannot run the go tool: %v", err)
	}
	verdicts, err := parse(strings.NewReader(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	tw := tabwriter.NewWriter(t.Output(), 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "function\tlist\tinlines\tcost\treason")
	for _, list := range []struct {
		name  string
		funcs []string
	}{{"must", mustInline}, {"want", wantInline}, {"shown", alsoShown}} {
		for _, fn := range list.funcs {
			v, ok := verdicts[fn]
			switch {
			case !ok && list.name != "shown":
				t.Errorf("%s: no inlining verdict in the compiler's output (renamed? not called in inlcheck.go?)", fn)
			case !ok:
				continue
			case list.name == "must" && !v.inlines:
				t.Errorf("%s must inline and does not: %s", fn, v.reason)
			case list.name == "want" && !v.inlines:
				t.Logf("%s does not inline yet: %s", fn, v.reason)
			case list.name == "want":
				t.Logf("%s inlines (cost %d): move it to mustInline", fn, v.cost)
			}
			if testing.Verbose() {
				fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%s\n", fn, list.name, v.inlines, v.cost, v.reason)
			}
		}
	}
	if testing.Verbose() {
		tw.Flush()
	}
	for _, fn := range mustInline {
		if slices.Contains(wantInline, fn) {
			t.Errorf("%s is in both mustInline and wantInline", fn)
		}
	}
}

// tail is the end of a long output.
func tail(b []byte) []byte {
	if len(b) > 4000 {
		return b[len(b)-4000:]
	}
	return b
}
