package arm

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Send runs r with hc (http.DefaultClient if nil) and returns the answer
// when its status is accepted, else an *APIError. A transient answer or a
// transport error is tried again, up to r.Tries in all, after the wait the
// answer asks for (see RetryAfter) or else a backoff of one second per try
// so far. A wait that would end after ctx's deadline is not begun: when the
// service asked for it Send fails at once with an error saying so, else it
// returns what the last try gave, as it does when ctx ends during the wait.
func Send(ctx context.Context, hc *http.Client, r Request) (*Response, error) {
	tries := r.Tries
	if tries <= 0 {
		tries = 1
		if r.Method == http.MethodGet {
			tries = GetTries
		}
	}
	for i := 1; ; i++ {
		resp, err := SendOnce(ctx, hc, r)
		last := i >= tries || ctx.Err() != nil
		switch {
		case err != nil && last:
			return nil, err
		case err == nil && (last || !r.retries(resp.Status)):
			return accept(r, resp)
		}
		wait, asked := time.Duration(i)*time.Second, false
		if resp != nil {
			if d, ok := RetryAfter(resp.Header, now()); ok {
				wait, asked = d, true
			}
		}
		if deadline, ok := ctx.Deadline(); ok && wait > time.Until(deadline) {
			if err != nil {
				return nil, err
			}
			if asked {
				return tooLate(r, resp, wait, time.Until(deadline))
			}
			return accept(r, resp)
		}
		if serr := Sleep(ctx, wait); serr != nil {
			if err != nil {
				return nil, err
			}
			return accept(r, resp)
		}
	}
}

// now is the clock Send reads a Retry-After date with.
var now = time.Now

// RetryAfter reads how long an answer asks the client to wait before trying
// again: the milliseconds of Retry-After-Ms or x-ms-retry-after-ms (Azure
// sends them), else Retry-After as seconds or as an HTTP date (RFC 9110),
// counted from now; a date in the past is no wait. ok is false when the
// answer asks nothing, or nothing readable.
func RetryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	for _, name := range []string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if n, err := strconv.ParseInt(strings.TrimSpace(h.Get(name)), 10, 64); err == nil && n >= 0 {
			return scale(n, time.Millisecond), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return scale(n, time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// scale is n units, at most the longest time.Duration.
func scale(n int64, unit time.Duration) time.Duration {
	if n > int64(math.MaxInt64/unit) {
		return math.MaxInt64
	}
	return time.Duration(n) * unit
}

// tooLate is the error of a transient answer whose requested wait ends
// after the deadline: the answer's *APIError (for StatusOf), then the wait
// and the time left.
func tooLate(r Request, resp *Response, wait, left time.Duration) (*Response, error) {
	resp, err := accept(r, resp)
	if err != nil {
		err = fmt.Errorf("%w: the service asks to be tried again in %s, only %s are left before the deadline: try again later or allow more time",
			err, roughly(wait), roughly(max(left, 0)))
	}
	return resp, err
}

// roughly rounds d for a message: to the second, or the millisecond below one.
func roughly(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// retries reports whether an answer with status is tried again.
func (r Request) retries(status int) bool {
	if len(r.RetryOn) == 0 {
		return Transient(status)
	}
	return slices.Contains(r.RetryOn, status)
}

// Transient reports whether an answer with status may well succeed when
// tried again: 429 and the 5xx statuses of an overloaded or restarting
// service (500, 502, 503, 504).
func Transient(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Sleep waits d or until ctx ends, and then returns ctx's error, if any.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
