package disruptor

import (
	"io"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// Markers as readers see them: the one reading of a hole, a flush or an
// EOF (signal), and a consumer's own tallies of them.

// takeMarker takes the marker at c.next, if one is there, and cuts what
// follows it of what was acquired.
func (c *Consumer[E]) takeMarker() (kind uint32, s int64, ok bool) {
	if c.markKind == engine.KindData || c.next != c.markAt {
		return engine.KindData, 0, false
	}
	kind, s = c.markKind, c.next
	c.next++
	c.markKind = engine.KindData
	if c.next <= c.avail {
		c.cut(c.next, c.avail)
	}
	return kind, s, true
}

// marker accounts for a non-data slot at s and returns the signal it gives
// the reader: ErrFlush, io.EOF for the final EOF, or nil to pass over it.
func (c *Consumer[E]) marker(kind uint32, s int64) error {
	switch kind {
	case engine.KindHole:
		c.t.V[cHoles]++
	case engine.KindFlush:
		c.t.V[cFlushes]++
	case engine.KindEOF:
		c.t.V[cEOFs]++
		c.eofs++
	}
	err := c.r.signal(kind, s, c.eofs)
	if err == io.EOF {
		c.done = !c.follow // a follower waits for the next stream
		c.release(s)
		c.flushStats()
	}
	return err
}

// signal is the one reading of a marker, shared by every reader (a
// consumer's Next, Batch, Lease and iterator, a work group member, an
// observer), which each keep their own tallies: what the marker of kind at
// s tells the reader. A hole is passed over (nil), a flush is ErrFlush, and
// an EOF is io.EOF where it ends the stream (lastEOF, with eofs the
// reader's count of EOFs, this one included), nil where another producer's
// stream goes on.
//
// It is the one place that decides whether an EOF ends the stream:
// in-process, once every producer made has sent one; in a shared ring,
// whose producers come and go and whose readers may start past earlier
// EOFs, once no producer in the table is open and none closed after s (see
// eofEnds), whatever eofs says. The host answers (lastEOF).
func (r *Ring[E]) signal(kind uint32, s, eofs int64) error {
	switch kind {
	case engine.KindFlush:
		return ErrFlush
	case engine.KindEOF:
		if r.host.lastEOF(s, eofs) {
			return io.EOF
		}
	}
	return nil
}
