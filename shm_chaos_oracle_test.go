//go:build linux

package disruptor

import "time"

// The oracle of the chaos test (shm_chaos_test.go).

// chaosKey is one producer incarnation: (producer id, incarnation).
type chaosKey [2]int64

const chaosIdx = 1<<32 - 1

func chaosSplit(p, n int64) (chaosKey, int64) { return chaosKey{p, n >> 32}, n & chaosIdx }

// verify checks every consumer's reports against what producers reported
// published, and measures how long consumers took to pass the claims of
// producers killed mid-claim.
func (ch *chaos) verify() {
	x := ch.x
	x.Helper()
	published := map[chaosKey]int64{} // the last own index each incarnation reported published
	for _, p := range ch.prods {
		for _, c := range p.runs {
			for _, ev := range []string{"pub", "closed"} {
				for _, m := range c.all(ev) {
					if m.N < 0 || m.N&chaosIdx == chaosIdx { // closed before publishing anything
						continue
					}
					k, i := chaosSplit(p.id, m.N)
					published[k] = max(published[k], i)
				}
			}
		}
	}
	for _, i := range published {
		ch.published += i + 1
	}
	for _, name := range []string{"c1", "c2"} {
		ch.verifyBroadcast(ch.cons[name], published)
	}
	ch.verifyGroup(ch.cons["g"], published)
	for _, h := range ch.hangs {
		ch.heals = append(ch.heals, ch.passed(h)...)
	}
}

// verifyBroadcast checks one broadcast consumer across its incarnations.
func (ch *chaos) verifyBroadcast(k *chaosCons, published map[chaosKey]int64) {
	x := ch.x
	global := map[chaosKey]int64{} // the highest own index seen, over every incarnation
	for ri, c := range k.runs {
		local := map[chaosKey]int64{}
		lastSeq := int64(-1)
		for _, m := range c.all("seen") {
			for _, r := range m.Runs {
				key, i1 := chaosSplit(r[0], r[1])
				_, i2 := chaosSplit(r[0], r[2])
				if r[3] <= lastSeq {
					x.Fatalf("%s (run %d): ring sequence %d after %d", k.name, ri, r[3], lastSeq)
				}
				lastSeq = r[3]
				if l, ok := local[key]; ok {
					if i1 != l+1 {
						x.Fatalf("%s (run %d): producer %d incarnation %d: event %d after %d (gap or repeat)", k.name, ri, key[0], key[1], i1, l)
					}
				} else if g, seen := global[key]; !seen && i1 != 0 {
					x.Fatalf("%s (run %d): producer %d incarnation %d: first event seen is %d, not 0", k.name, ri, key[0], key[1], i1)
				} else if seen && i1 > g+1 {
					x.Fatalf("%s (run %d): resumed at producer %d incarnation %d's event %d after %d: events lost", k.name, ri, key[0], key[1], i1, g)
				}
				local[key] = i2
				if g, seen := global[key]; !seen || i2 > g {
					global[key] = i2
				}
				ch.checked += i2 - i1 + 1
			}
		}
	}
	for key, last := range published {
		if g, seen := global[key]; !seen || g < last {
			x.Errorf("%s: producer %d incarnation %d published through event %d; the consumer saw through %d (seen %v)", k.name, key[0], key[1], last, g, seen)
		}
	}
}

// verifyGroup checks the work group: within one incarnation of its
// process each event went to exactly one member; over all of them, every
// published event was handled.
func (ch *chaos) verifyGroup(k *chaosCons, published map[chaosKey]int64) {
	x := ch.x
	all := map[chaosKey]map[int64]bool{}
	for ri, c := range k.runs {
		local := map[[2]int64]int{}
		for _, m := range c.all("got") {
			if w, dup := local[[2]int64{m.P, m.N}]; dup {
				x.Fatalf("%s (run %d): event (%d,%#x) handled by members %d and %d", k.name, ri, m.P, m.N, w, m.Member)
			}
			local[[2]int64{m.P, m.N}] = m.Member
			key, i := chaosSplit(m.P, m.N)
			if all[key] == nil {
				all[key] = map[int64]bool{}
			}
			all[key][i] = true
			ch.checked++
		}
	}
	for key, last := range published {
		for i := int64(0); i <= last; i++ {
			if !all[key][i] {
				x.Fatalf("%s: producer %d incarnation %d's event %d (of %d published) was handled by no member", k.name, key[0], key[1], i, last+1)
			}
		}
	}
}

// passed returns, for each broadcast consumer, how long after the kill of
// the producer that held h it first reported an event past h.
func (ch *chaos) passed(h chaosHang) []time.Duration {
	var out []time.Duration
	for _, name := range []string{"c1", "c2"} {
	search:
		for _, c := range ch.cons[name].runs {
			for _, m := range c.all("seen") {
				if m.Wall < h.at.UnixNano() {
					continue
				}
				for _, r := range m.Runs {
					if r[3] > h.hi {
						out = append(out, time.Duration(m.Wall-h.at.UnixNano()))
						break search
					}
				}
			}
		}
	}
	return out
}
