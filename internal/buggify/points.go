// Package buggify holds the engine's fault injection points. Built with the
// tag disruptor_buggify, each named point fires with a probability drawn
// from a seed, and the engine acts there: it yields or sleeps a few
// microseconds, takes a slow path, cuts a batch short, wakes a parked waiter
// early, skips a heartbeat, gives a held sequence back, or fails a TryClaim
// with ErrFull. Without the tag, Enabled is the constant false and every
// function is empty: the compiler removes the points, and the hot path pays
// nothing.
//
// Decisions are reproducible per point: the n-th decision of point p is a
// hash of the seed, p and n, so a seed replays each point's sequence of
// decisions however the goroutines interleave (which goroutine meets the
// n-th decision may differ from run to run).
//
// The seed is the environment variable DISRUPTOR_BUGGIFY_SEED, or a fresh
// random one when it is unset (then stored in the environment, so that
// child processes re-executed by the tests replay the same seed). See
// docs/buggify.md.
package buggify

// Point names an injection point. Points are constants, so that the same
// point keeps its decisions from one build to the next.
type Point uint8

// The points, by where they sit. A point's number is part of its decisions:
// add new points at the end.
const (
	// Producers, between claim and publish.
	ClaimSlow    Point = iota // Producer.Claim skips its fast path
	ClaimPublish              // Publish and Skip: the producer is descheduled before it publishes
	ClaimCAS                  // multi-producer claim: between the cursor load (and announcement) and the CAS
	PublishRange              // multi-producer publish: between availability words of one range
	PublishWake               // between a publication and the test for parked consumers
	TryFull                   // TryClaim and TryClaimN fail with ErrFull although there may be room (only when named: see PointsEnv)

	// The gate, and consumers joining and leaving.
	GateScan  // refreshGate: between loads of consumer records
	GateRaise // refreshGate: after raising GateCache, before checking Epoch
	Join      // join: between the record turning active, Epoch and the GateCache load
	Leave     // leave: between the record turning free and Epoch

	// Consumers.
	NextSlow     // Consumer.Next skips its fast path
	AcquireGap   // acquire: between releasing and loading what is available
	AcquireShort // acquire: the batch ends early
	ReleaseWake  // release: before storing the cursor, and between storing it and waking waiters

	// Parking and waking, on both memories.
	ParkPrepare  // await: before announcing a park (the window a re-check closes)
	ParkRecheck  // await: after announcing a park, before re-checking
	ParkSpurious // await: a park returns after a few microseconds, unwoken
	WakeDelay    // a waker is descheduled before it wakes

	// Markers.
	MarkWrite // mark: between the marker words and LastMark
	MarkEOF   // a producer's Close: around its EOF marker's publication

	// Work groups.
	WorkTake     // take: between taking a sequence and raising the cursor
	WorkGiveBack // a waiting member gives its sequence back and takes again
	WorkFinish   // finish and unhold: before the lender's bookkeeping and the wakes
	WorkEnd      // the final EOF: between recording the end, marking done and releasing

	// The shared tables.
	Register  // shared registration: under the registry lock, between its steps
	Evict     // freeing a dead or evicted consumer's record
	Heartbeat // a heartbeat is skipped
	Heal      // heal: between reading the table and publishing holes
	Watch     // a waiter's watch of the other processes

	// Added later (a point's number is part of its decisions).
	LateRelease // release at the head of the stream (within 2 of the last claim): the consumer lags tens to hundreds of microseconds

	// NumPoints counts the points.
	NumPoints
)

var names = [NumPoints]string{
	"ClaimSlow", "ClaimPublish", "ClaimCAS", "PublishRange", "PublishWake", "TryFull",
	"GateScan", "GateRaise", "Join", "Leave",
	"NextSlow", "AcquireGap", "AcquireShort", "ReleaseWake",
	"ParkPrepare", "ParkRecheck", "ParkSpurious", "WakeDelay",
	"MarkWrite", "MarkEOF",
	"WorkTake", "WorkGiveBack", "WorkFinish", "WorkEnd",
	"Register", "Evict", "Heartbeat", "Heal", "Watch",
	"LateRelease",
}

// String is the point's name.
func (p Point) String() string {
	if p < NumPoints {
		return names[p]
	}
	return "Point(?)"
}

// The environment variables of the buggify build: the seed, and which
// points may fire (a comma-separated list of names to keep, or of names
// prefixed with "-" to turn off; empty: every point the seed turns on).
const (
	SeedEnv   = "DISRUPTOR_BUGGIFY_SEED"
	PointsEnv = "DISRUPTOR_BUGGIFY_POINTS"
)
