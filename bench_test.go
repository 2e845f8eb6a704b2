package disruptor_test

// Benchmarks of the scenarios of `disruptor bench`, each over the disruptor
// and, beside it, over buffered Go channels of the same capacity. The
// workloads and their checks are those of internal/bench: every consumer
// checks every payload, and a failed check fails the benchmark. One op is
// one event (for pingpong, one round trip).
//
//	go test -run '^$' -bench . -benchtime 1000000x
//	go test -run '^$' -bench 'Unicast$' -disruptor.wait block -disruptor.ring 4096

import (
	"flag"
	"testing"

	"github.com/disruptor-go/disruptor/internal/bench"
)

var (
	benchWait = flag.String("disruptor.wait", "", "wait strategy of the benchmarks (default: per scenario, as disruptor bench)")
	benchRing = flag.Int("disruptor.ring", bench.DefaultRing, "ring and channel capacity of the benchmarks")
)

func BenchmarkUnicast(b *testing.B)      { benchScenario(b, "unicast") }
func BenchmarkUnicastBatch(b *testing.B) { benchScenario(b, "unicast-batch") }
func BenchmarkMPSC(b *testing.B)         { benchScenario(b, "mpsc") }
func BenchmarkMulticast(b *testing.B)    { benchScenario(b, "multicast") }
func BenchmarkPipeline(b *testing.B)     { benchScenario(b, "pipeline") }
func BenchmarkDiamond(b *testing.B)      { benchScenario(b, "diamond") }
func BenchmarkPingPong(b *testing.B)     { benchScenario(b, "pingpong") }

// benchTimer lets a scenario mark its timed section on b.
type benchTimer struct{ b *testing.B }

func (t benchTimer) Start() { t.b.ResetTimer() }
func (t benchTimer) Stop()  { t.b.StopTimer() }

func benchScenario(b *testing.B, name string) {
	ss, err := bench.Lookup(name)
	if err != nil {
		b.Fatal(err)
	}
	s := ss[0]
	for _, impl := range bench.Impls() {
		b.Run(string(impl), func(b *testing.B) {
			b.ReportAllocs()
			cfg := bench.Config{Events: int64(b.N), Ring: *benchRing, Wait: *benchWait}
			smp, err := bench.RunOnce(s, impl, cfg, benchTimer{b})
			if err != nil {
				b.Fatal(err)
			}
			if h := smp.Latency; h != nil {
				b.ReportMetric(float64(h.ValueAtQuantile(50)), "p50-ns")
				b.ReportMetric(float64(h.ValueAtQuantile(99)), "p99-ns")
				b.ReportMetric(float64(h.ValueAtQuantile(99.9)), "p99.9-ns")
			}
		})
	}
}
