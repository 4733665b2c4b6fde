package helm

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Revision is one entry of a release's history (helm history --output json).
type Revision struct {
	Number      int    `json:"revision"`
	Status      string `json:"status"`
	Chart       string `json:"chart"`
	AppVersion  string `json:"app_version"`
	Description string `json:"description"`
}

// Release statuses onepipe reads.
const (
	StatusDeployed = "deployed"
	StatusFailed   = "failed"
)

// History is a release's revisions, oldest first; empty when there is no
// release.
type History []Revision

// ParseHistory reads the output of HistoryArgs.
func ParseHistory(stdout string) (History, error) {
	var h History
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &h); err != nil {
		return nil, fmt.Errorf("read helm history: %v", err)
	}
	return h, nil
}

// NotFound reports whether helm's error output says the release does not
// exist (helm history of a release never installed, or uninstalled).
func NotFound(stderr string) bool { return strings.Contains(stderr, "release: not found") }

// Latest is the newest revision.
func (h History) Latest() (Revision, bool) {
	if len(h) == 0 {
		return Revision{}, false
	}
	latest := h[0]
	for _, r := range h[1:] {
		if r.Number > latest.Number {
			latest = r
		}
	}
	return latest, true
}

// Deployed is the revision serving now: the newest with status deployed.
func (h History) Deployed() (Revision, bool) {
	var out Revision
	found := false
	for _, r := range h {
		if r.Status == StatusDeployed && (!found || r.Number > out.Number) {
			out, found = r, true
		}
	}
	return out, found
}

// Busy is the newest revision when it is still pending (pending-install,
// pending-upgrade, pending-rollback: a helm command was interrupted), which
// makes helm refuse the next upgrade.
func (h History) Busy() (Revision, bool) {
	r, ok := h.Latest()
	return r, ok && strings.HasPrefix(r.Status, "pending-")
}

// String is "revision 3 (flask-0.1.0, deployed)".
func (r Revision) String() string {
	return fmt.Sprintf("revision %d (%s, %s)", r.Number, r.Chart, r.Status)
}

// UpgradedRevision reads the revision helm upgrade reports ("REVISION: 3").
func UpgradedRevision(stdout string) (int, bool) {
	for _, l := range strings.Split(stdout, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "REVISION:"); ok {
			var n int
			if _, err := fmt.Sscan(strings.TrimSpace(v), &n); err == nil && n > 0 {
				return n, true
			}
		}
	}
	return 0, false
}
