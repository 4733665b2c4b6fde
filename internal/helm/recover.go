package helm

import (
	"fmt"
	"strings"
)

// Stage is the part of a deploy that failed.
type Stage int

const (
	// StageRecord reads the release's history: nothing has changed yet.
	StageRecord Stage = iota
	// StageUpgrade is helm upgrade --atomic, which rolls a failed upgrade
	// back (and removes a failed first install) by itself.
	StageUpgrade
	// StageVerify follows a successful upgrade: the release's objects and
	// addresses are read and the smoke checks run.
	StageVerify
)

// Step is one command of a Recovery.
type Step struct {
	Desc string
	Args []string
}

// Recovery is what to do after a deploy failed.
type Recovery struct {
	// Undo returns the release to the revision that served before; run the
	// steps in order.
	Undo []Step
	// Message says in one line what failed and what the release is left
	// with once Undo has run.
	Message string
	// UndoFailed replaces Message when an Undo step fails: it gives the
	// command to finish by hand.
	UndoFailed string
}

// Before is what served before the deploy: Revision, or nothing when Exists
// is false (a first install).
type Before struct {
	Exists   bool
	Revision Revision
}

// OnFailure decides what follows a failure at stage (desc describes the
// failed step). before is what served before the deploy; now is the
// history read after the failure (nil when it could not be read).
//
// A failed upgrade was rolled back by helm itself (--atomic) when the
// history now ends in a deployed revision newer than before's; otherwise,
// and whenever the smoke checks failed after a good upgrade, the release
// goes back to before's revision with helm rollback (a new revision), or is
// uninstalled when it had none.
func (r Release) OnFailure(stage Stage, desc string, before Before, now History) Recovery {
	what := fmt.Sprintf("deploy of helm release %s to namespace %s failed at %q", r.Name, r.Namespace, desc)
	if stage == StageRecord {
		return Recovery{Message: what + ": nothing was changed"}
	}
	latest, known := now.Latest()
	if stage == StageUpgrade {
		switch {
		case !before.Exists && !known && now != nil:
			return Recovery{Message: what + ": the release is not installed (it had no previous revision, and --atomic removes a failed first install)"}
		case before.Exists && known && latest.Number == before.Revision.Number && latest.Status == StatusDeployed:
			return Recovery{Message: fmt.Sprintf("%s: nothing was changed: release %s stays at revision %d", what, r.Name, before.Revision.Number)}
		case before.Exists && known && latest.Number > before.Revision.Number && latest.Status == StatusDeployed:
			return Recovery{Message: fmt.Sprintf("%s: helm rolled release %s back to revision %d (--atomic; now revision %d)", what, r.Name, before.Revision.Number, latest.Number)}
		}
	}
	var undo Step
	var done string
	if before.Exists {
		p := before.Revision.Number
		undo = Step{Desc: fmt.Sprintf("roll release %s back to revision %d", r.Name, p), Args: r.RollbackArgs(p)}
		done = fmt.Sprintf("rolled release %s back to revision %d with helm rollback", r.Name, p)
	} else {
		undo = Step{Desc: fmt.Sprintf("uninstall release %s (it had no previous revision)", r.Name), Args: r.UninstallArgs()}
		done = fmt.Sprintf("uninstalled release %s, which had no previous revision", r.Name)
	}
	return Recovery{
		Undo:    []Step{undo},
		Message: what + ": " + done,
		UndoFailed: fmt.Sprintf("%s and the rollback failed too: release %s in namespace %s may be left on the failed revision; to undo by hand run: %s",
			what, r.Name, r.Namespace, strings.Join(undo.Args, " ")),
	}
}
