package kube

import (
	"fmt"
	"strings"
)

// Revision is what an app Deployment ran before the deploy.
type Revision struct {
	// Exists is false when the Deployment did not exist.
	Exists bool
	// Number is its deployment.kubernetes.io/revision annotation.
	Number string
}

// ParseRevision reads the output of a Record step (RevisionArgs).
func ParseRevision(stdout string) (Revision, error) {
	s := strings.TrimSpace(stdout)
	if s == "" {
		return Revision{}, nil
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return Revision{}, fmt.Errorf("read deployment revision: %q is not a number", s)
		}
	}
	return Revision{Exists: true, Number: s}, nil
}

// JobDone is the Check of a migration Job's Poll step: done when the Job is
// Complete, an error when it Failed (backoffLimit reached, deadline passed).
func JobDone(job string) func(stdout string) (bool, error) {
	return func(stdout string) (bool, error) {
		for _, c := range strings.Fields(stdout) {
			if c == "Failed" || c == "FailureTarget" {
				return false, fmt.Errorf("migration job/%s failed", job)
			}
		}
		for _, c := range strings.Fields(stdout) {
			if c == "Complete" {
				return true, nil
			}
		}
		return false, nil
	}
}

// Recovery is what to do after a step failed.
type Recovery struct {
	// Diagnose steps print what helps to understand the failure (pod states,
	// logs); run them before Undo and ignore their own failures.
	Diagnose []Step
	// Undo steps return the app to its previous revision; run them in order.
	Undo []Step
	// Message says in one line what failed and the state the environment is
	// left in once Undo has run.
	Message string
	// UndoFailed replaces Message when an Undo step fails.
	UndoFailed string
}

// OnFailure decides what follows the failure of step failed. prev holds the
// Record steps' results by Target (deployment/<name>); a Deployment missing
// from it is taken as new.
//
// Before the app is applied (record, validate, prepare, migrate stages) the
// app is left as it was. From the app stage on, each app Deployment goes back
// to its recorded revision (kubectl rollout undo --to-revision) and its
// rollout is awaited; a Deployment that did not exist before is deleted, so a
// first release that fails leaves no half-working app (the database,
// Services and Ingresses stay).
func (p Plan) OnFailure(failed Step, prev map[string]Revision) Recovery {
	ns := p.Namespace
	what := fmt.Sprintf("deploy to namespace %s failed at %q", ns, failed.Desc)
	r := Recovery{}
	switch failed.Stage {
	case StageRecord:
		r.Message = what + ": nothing was changed"
		return r
	case StageValidate:
		if len(failed.Args) > 2 && failed.Args[2] == "--dry-run=server" {
			r.Message = what + ": nothing was changed apart from namespace " + ns
		} else {
			r.Message = what + ": nothing was changed"
		}
		return r
	case StagePrepare, StageMigrate:
		r.Diagnose = append(r.Diagnose, Step{Kind: Run, Stage: failed.Stage, Optional: true,
			Desc: "list the pods of namespace " + ns, Args: []string{"kubectl", "get", "pods", "--namespace=" + ns, "-o=wide"}})
		if kind, name, ok := strings.Cut(failed.Target, "/"); ok && (failed.Stage == StageMigrate || kind != "secret") {
			r.Diagnose = append(r.Diagnose, Step{Kind: Run, Stage: failed.Stage, Optional: true, Target: failed.Target,
				Desc: "show the logs of " + failed.Target, Args: LogsArgs(ns, kind, name, 100)})
		}
		r.Message = what + ": the app was not changed (" + p.unchanged(prev) + "); the config, secret and database objects applied before this step stay"
		return r
	}

	for _, w := range p.Apps {
		r.Diagnose = append(r.Diagnose,
			Step{Kind: Run, Stage: failed.Stage, Optional: true, Target: w.String(), Desc: "list the pods of " + w.String(), Args: PodsArgs(ns, w.Selector)},
			Step{Kind: Run, Stage: failed.Stage, Optional: true, Target: w.String(), Desc: "show the logs of " + w.String(), Args: LogsArgs(ns, w.Kind, w.Name, 50)})
	}
	var done, manual []string
	for _, w := range p.Apps {
		rev := prev[w.String()]
		if rev.Exists {
			r.Undo = append(r.Undo,
				Step{Kind: Run, Stage: failed.Stage, Target: w.String(), Desc: fmt.Sprintf("roll %s back to revision %s", w, rev.Number), Args: UndoArgs(ns, w.Name, rev.Number)},
				Step{Kind: Run, Stage: failed.Stage, Target: w.String(), Desc: fmt.Sprintf("wait for the rollback of %s", w), Args: RolloutStatusArgs(ns, w.Kind, w.Name, p.Timeout)})
			done = append(done, fmt.Sprintf("rolled %s back to revision %s", w, rev.Number))
			manual = append(manual, strings.Join(UndoArgs(ns, w.Name, rev.Number), " "))
		} else {
			r.Undo = append(r.Undo, Step{Kind: Run, Stage: failed.Stage, Target: w.String(),
				Desc: fmt.Sprintf("delete %s (it had no previous revision)", w), Args: DeleteArgs(ns, w.Kind, w.Name)})
			done = append(done, fmt.Sprintf("deleted %s, which had no previous revision", w))
			manual = append(manual, strings.Join(DeleteArgs(ns, w.Kind, w.Name), " "))
		}
	}
	if len(done) == 0 {
		done = append(done, "no app Deployment to roll back")
	}
	for _, w := range p.Others {
		done = append(done, w.String()+" keeps the new version (onepipe rolls back Deployments only)")
	}
	if failed.Stage == StageExpose || failed.Stage == StageSmoke {
		done = append(done, "the Services and Ingresses of this release stay applied")
	}
	r.Message = what + ": " + strings.Join(done, "; ")
	r.UndoFailed = what + " and the rollback failed too: namespace " + ns + " is half-applied (the new app objects are in place and may not be serving); to undo by hand run: " + strings.Join(manual, " && ")
	return r
}

// unchanged describes the recorded revisions of the app Deployments.
func (p Plan) unchanged(prev map[string]Revision) string {
	if len(p.Apps) == 0 {
		return "there is no app Deployment"
	}
	var parts []string
	for _, w := range p.Apps {
		if rev := prev[w.String()]; rev.Exists {
			parts = append(parts, fmt.Sprintf("%s stays at revision %s", w, rev.Number))
		} else {
			parts = append(parts, fmt.Sprintf("%s was not created", w))
		}
	}
	return strings.Join(parts, ", ")
}

// Address formats the output of an address step (AddressArgs): the first
// IP or host name, or "" while the load balancer has none.
func Address(stdout string) string {
	f := strings.Fields(stdout)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
