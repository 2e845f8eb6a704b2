package disruptor

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A handler's panic reaches Wait as a *PanicError whose Error is one line
// (stage and value) and whose %+v adds the stack, which names the handler.
func TestPanicErrorFormat(t *testing.T) {
	r := graphRing(t, 8, false)
	g := NewGraph(r)
	graphMust(t, g.Handle("boom", func(ev *gev, _ int64, _ bool) error {
		if ev.v == 1 {
			panic("bad event")
		}
		return nil
	}))
	graphMust(t, g.Start())
	p, _ := r.NewProducer("p")
	for v := range int64(3) {
		ev, err := p.Claim(graphCtx(t))
		if err != nil {
			break
		}
		ev.v = v
		p.Publish()
	}
	p.Close()
	err := waitGraph(t, g)
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Wait: %v, want a *PanicError", err)
	}
	const line = `disruptor: handler "boom" panicked: bad event`
	if got := pe.Error(); got != line {
		t.Errorf("Error() = %q, want %q", got, line)
	}
	for _, verb := range []string{"%v", "%s"} {
		if got := fmt.Sprintf(verb, pe); got != line {
			t.Errorf("%s = %q, want %q", verb, got, line)
		}
	}
	if got, want := fmt.Sprintf("%q", pe), fmt.Sprintf("%q", line); got != want {
		t.Errorf("%%q = %s, want %s", got, want)
	}
	full := fmt.Sprintf("%+v", pe)
	if !strings.HasPrefix(full, line+"\n") || !strings.Contains(full, "panic_error_test.go") || !strings.Contains(full, string(pe.Stack)) {
		t.Errorf("%%+v should be the line, a newline and the stack; got:\n%s", full)
	}
	if strings.Contains(fmt.Sprintf("%v", err), "\n") {
		t.Errorf("the error Wait returned prints over several lines with %%v: %v", err)
	}
}
