package azure

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

// Smoke is a smoke test: GET a URL until it answers 2xx.
type Smoke struct {
	// HTTP is the client requests go through (one with a 30s timeout if nil).
	HTTP *http.Client
	// Interval is the wait between two tries (default 5s).
	Interval time.Duration
	// Key is a function key, sent as the x-functions-key header (nil sends none).
	Key Secret
}

// Poll GETs url until it answers 2xx or timeout passes; see Smoke.
func Poll(ctx context.Context, url string, timeout time.Duration) error {
	_, err := (&Smoke{}).Wait(ctx, url, timeout)
	return err
}

// Wait GETs url until it answers 2xx, and returns that status. After timeout
// it fails with the last answer it got.
func (s *Smoke) Wait(ctx context.Context, url string, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	interval := s.Interval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	c := arm.Request{Service: serviceSmoke, Method: http.MethodGet, URL: url, Header: http.Header{}}
	if s.Key != nil {
		key, err := reveal(ctx, "function key", s.Key)
		if err != nil {
			return 0, err
		}
		c.Header.Set("x-functions-key", key)
		c.Secrets = []string{key}
	}
	c.Header.Set("Accept", "*/*")
	last := "no answer"
	for tries := 1; ; tries++ {
		resp, err := arm.SendOnce(ctx, hc, c)
		if err == nil {
			if resp.Status >= 200 && resp.Status < 300 {
				return resp.Status, nil
			}
			code, msg := arm.ErrorText(resp, c.Secrets...)
			last = fmt.Sprintf("%d %s", resp.Status, http.StatusText(resp.Status))
			for _, s := range []string{code, msg} {
				if s != "" {
					last += ": " + s
				}
			}
		} else if ctx.Err() == nil {
			last = err.Error()
		}
		if arm.Sleep(ctx, interval) != nil {
			return 0, fmt.Errorf("%s: GET %s: no 2xx answer in %s (%d tries); last: %s", serviceSmoke, arm.CleanURL(url), timeout, tries, last)
		}
	}
}
