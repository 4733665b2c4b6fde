package pipeline

import (
	"context"
	"errors"
	"net/url"
	"regexp"
)

// sessionEndpoint is the address the Dagger SDK sends every query to:
// http://dagger/query through the dagger session process it started, or
// http://127.0.0.1:PORT/query under `dagger run`.
var sessionEndpoint = regexp.MustCompile(`^http://[^/]+/query$`)

// sessionPost is how net/http prints a failed request to that address, for
// errors whose chain was flattened with %v.
var sessionPost = regexp.MustCompile(`\bPost "http://[^/"]+/query": `)

// EngineLost reports whether err says the engine session ended under the
// run: the request to the session failed on the wire (EOF, connection
// refused or reset) instead of being answered. A cancelled request is not
// a lost engine.
func EngineLost(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return sessionEndpoint.MatchString(ue.URL)
	}
	return sessionPost.MatchString(err.Error())
}
