package bench

import "fmt"

// pipeline: three stages in a chain; each checks the stamp of the one before
// and stamps the event in turn (in place in the ring; over channels, each
// stage passes the event by value to the next). diamond: two stages in
// parallel stamp different fields; a join stage checks both stamps.

const stages = 3 // in the pipeline

// hop is a pipeline event: a payload and how many stages have passed it.
type hop struct{ V, Hops int64 }

type stageCheck struct {
	check
	stage int64
}

// pass checks that h is the next event and that exactly the stages before
// this one have passed it, then stamps it.
func (c *stageCheck) pass(h *hop) {
	if h.V != c.n || h.Hops != c.stage {
		c.failf("payload %d after %d stages, want %d after %d", h.V, h.Hops, c.n, c.stage)
	}
	h.Hops = c.stage + 1
	c.n++
}

func newStages() (chks [stages]*stageCheck) {
	for i := range chks {
		chks[i] = &stageCheck{check: check{name: fmt.Sprintf("stage%d", i+1)}, stage: int64(i)}
	}
	return chks
}

var pipelineDisruptor = &topo[hop]{rings: 1, parts: func(e *env) []part[hop] {
	var ps []part[hop]
	var up []string
	for _, chk := range newStages() {
		pass := func(ev *hop, _ int64, _ bool) error {
			chk.pass(ev)
			return nil
		}
		ps = append(ps, consumer(e, 0, chk.name, pass, chk.verdict(e), up...))
		up = []string{chk.name}
	}
	return append(ps, producer(e, 0, "producer", publishEach(e, e.events, func(v int64) hop { return hop{V: v} })))
}}

func pipelineChannel(e *env) error {
	var cr crew
	chks := newStages()
	var chs [stages + 1]chan hop
	for i := range stages {
		chs[i] = make(chan hop, e.ring)
	}
	for i, chk := range chks {
		in, out := chs[i], chs[i+1]
		cr.start(func() error {
			for h := range in {
				chk.pass(&h)
				if out != nil {
					out <- h
				}
			}
			if out != nil {
				close(out)
			}
			return nil
		})
	}
	e.timer.Start()
	for i := range e.events {
		chs[0] <- hop{V: e.value(i)}
	}
	close(chs[0])
	cr.wait()
	e.timer.Stop()
	return allSaw(e.events, chks[:]...)
}

// dia is a diamond event: a payload and the stamps of the two parallel
// stages.
type dia struct{ V, A, B int64 }

func stampA(v int64) int64 { return v + 1 }
func stampB(v int64) int64 { return ^v }

// sideCheck is a parallel stage: it checks the payload and that its own
// stamp is not there yet, then stamps.
type sideCheck struct {
	check
	b bool // stamps B rather than A
}

func (c *sideCheck) pass(d *dia) {
	stamp := &d.A
	s := stampA
	if c.b {
		stamp, s = &d.B, stampB
	}
	if d.V != c.n || *stamp != 0 {
		c.failf("payload %d stamp %d, want %d and no stamp", d.V, *stamp, c.n)
	}
	*stamp = s(d.V)
	c.n++
}

// join checks the payload and both stamps.
func (c *check) join(v, a, b int64) {
	if v != c.n || a != stampA(v) || b != stampB(v) {
		c.failf("payload %d stamps %d %d, want %d stamps %d %d", v, a, b, c.n, stampA(c.n), stampB(c.n))
	}
	c.n++
}

func newSides() (a, b, j *sideCheck) {
	return &sideCheck{check: check{name: "a"}}, &sideCheck{check: check{name: "b"}, b: true},
		&sideCheck{check: check{name: "join"}}
}

var diamondDisruptor = &topo[dia]{rings: 1, parts: func(e *env) []part[dia] {
	a, b, j := newSides()
	var ps []part[dia]
	for _, chk := range []*sideCheck{a, b} {
		pass := func(ev *dia, _ int64, _ bool) error {
			chk.pass(ev)
			return nil
		}
		ps = append(ps, consumer(e, 0, chk.name, pass, chk.verdict(e)))
	}
	join := func(ev *dia, _ int64, _ bool) error {
		j.join(ev.V, ev.A, ev.B)
		return nil
	}
	return append(ps, consumer(e, 0, j.name, join, j.verdict(e), a.name, b.name),
		producer(e, 0, "producer", publishEach(e, e.events, func(v int64) dia { return dia{V: v} })))
}}

func diamondChannel(e *env) error {
	a, b, j := newSides()
	var cr crew
	var ins, outs [2]chan dia
	for i, chk := range []*sideCheck{a, b} {
		in, out := make(chan dia, e.ring), make(chan dia, e.ring)
		ins[i], outs[i] = in, out
		cr.start(func() error {
			for d := range in {
				chk.pass(&d)
				out <- d
			}
			close(out)
			return nil
		})
	}
	cr.start(func() error {
		for x := range outs[0] {
			y, ok := <-outs[1]
			if !ok {
				j.failf("b ended before a")
				continue // drain a, so that it never blocks
			}
			if x.V != y.V {
				j.failf("a passed payload %d, b passed %d", x.V, y.V)
			}
			j.join(x.V, x.A, y.B)
		}
		for range outs[1] {
			j.failf("b passed more events than a")
		}
		return nil
	})
	e.timer.Start()
	for i := range e.events {
		d := dia{V: e.value(i)}
		ins[0] <- d
		ins[1] <- d
	}
	close(ins[0])
	close(ins[1])
	cr.wait()
	e.timer.Stop()
	return allSaw(e.events, a, b, j)
}
