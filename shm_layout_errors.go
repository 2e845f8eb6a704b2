package disruptor

import "github.com/disruptor-go/disruptor/internal/layout"

// ErrInvalidParams is returned by Create when a shared ring's parameters
// are outside what a ring file can hold: more consumers than a file's
// table has room for (layout.MaxConsumers), an event type larger than a
// slot may be, or a file that would exceed the largest ring file. The
// error names the parameter and its limit.
var ErrInvalidParams = layout.ErrInvalidParams
