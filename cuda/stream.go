package cuda

import (
	"errors"
	"time"
	"unsafe"
)

// Stream is a CUDA stream. Function.Launch and Event.Record take a nil
// *Stream as the legacy default (NULL) stream; for copies on the default
// stream use the Context's synchronous methods.
type Stream struct {
	ctx   *Context
	h     uintptr // CUstream
	owned bool    // created here: Destroy destroys it
}

// errNilStream is returned by methods called on a nil *Stream.
var errNilStream = errors.New("cuda: method called on a nil *Stream (the default stream has no Stream value; use Context methods)")

// do runs f in the stream's context.
func (s *Stream) do(f func() error) error {
	if s == nil {
		return errNilStream
	}
	return s.ctx.do(f)
}

// NewStream creates a stream (cuStreamCreate).
func (c *Context) NewStream(flags StreamFlags) (*Stream, error) {
	var h uintptr
	if err := c.do(func() error { return c.d.call(symStreamCreate, uintptr(unsafe.Pointer(&h)), uintptr(flags)) }); err != nil {
		return nil, err
	}
	return &Stream{ctx: c, h: h, owned: true}, nil
}

// StreamFromHandle wraps a CUstream made by other CUDA code so that copies,
// launches and events of this package can be ordered on it. Its owner keeps
// it: Destroy does not destroy it.
func (c *Context) StreamFromHandle(h uintptr) *Stream { return &Stream{ctx: c, h: h} }

// Handle returns the CUstream (0 for the nil default stream), for other
// CUDA libraries.
func (s *Stream) Handle() uintptr {
	if s == nil {
		return 0
	}
	return s.h
}

// Synchronize waits for all work queued on the stream (cuStreamSynchronize).
func (s *Stream) Synchronize() error {
	return s.do(func() error { return s.ctx.d.call(symStreamSynchronize, s.h) })
}

// Destroy destroys a stream from NewStream (cuStreamDestroy) once its queued
// work is done. On a stream from StreamFromHandle it does nothing.
func (s *Stream) Destroy() error {
	if s == nil || !s.owned {
		return nil
	}
	return s.ctx.do(func() error { return s.ctx.d.call(symStreamDestroy, s.h) })
}

// Event is a CUDA event, a marker in a stream used to wait and to time.
type Event struct {
	ctx   *Context
	h     uintptr // CUevent
	owned bool
}

// NewEvent creates an event (cuEventCreate). Timing needs flags without
// EventDisableTiming.
func (c *Context) NewEvent(flags EventFlags) (*Event, error) {
	var h uintptr
	if err := c.do(func() error { return c.d.call(symEventCreate, uintptr(unsafe.Pointer(&h)), uintptr(flags)) }); err != nil {
		return nil, err
	}
	return &Event{ctx: c, h: h, owned: true}, nil
}

// EventFromHandle wraps a CUevent made by other CUDA code; Destroy does not
// destroy it.
func (c *Context) EventFromHandle(h uintptr) *Event { return &Event{ctx: c, h: h} }

// Handle returns the CUevent (0 for a nil *Event).
func (e *Event) Handle() uintptr {
	if e == nil {
		return 0
	}
	return e.h
}

// errNilEvent is returned by methods called on a nil *Event.
var errNilEvent = errors.New("cuda: method called on a nil *Event")

// do runs f in the event's context.
func (e *Event) do(f func() error) error {
	if e == nil {
		return errNilEvent
	}
	return e.ctx.do(f)
}

// Record records the event on stream s (nil: the default stream), after
// the work queued there so far (cuEventRecord).
func (e *Event) Record(s *Stream) error {
	return e.do(func() error { return e.ctx.d.call(symEventRecord, e.h, s.Handle()) })
}

// Synchronize waits until the work before the event's record has finished
// (cuEventSynchronize).
func (e *Event) Synchronize() error {
	return e.do(func() error { return e.ctx.d.call(symEventSynchronize, e.h) })
}

// ElapsedTime returns the time from start to end, both recorded and
// complete (cuEventElapsedTime_v2, or cuEventElapsedTime on drivers before
// CUDA 12.8). The driver measures it in milliseconds with a resolution of
// about half a microsecond.
func ElapsedTime(start, end *Event) (time.Duration, error) {
	if start == nil || end == nil {
		return 0, errors.New("cuda: ElapsedTime needs two events")
	}
	var ms float32
	err := start.ctx.do(func() error {
		return start.ctx.d.call(symEventElapsedTime, uintptr(unsafe.Pointer(&ms)), start.h, end.h)
	})
	if err != nil {
		return 0, err
	}
	return time.Duration(float64(ms) * float64(time.Millisecond)), nil
}

// Destroy destroys an event from NewEvent (cuEventDestroy). On an event
// from EventFromHandle it does nothing.
func (e *Event) Destroy() error {
	if e == nil || !e.owned {
		return nil
	}
	return e.ctx.do(func() error { return e.ctx.d.call(symEventDestroy, e.h) })
}
