package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onepipe/onepipe/internal/helm"
)

// readHistory reads the output of helm history: an empty history when the
// release does not exist.
func readHistory(out string, err error) (helm.History, error) {
	var ce *CommandError
	if errors.As(err, &ce) && helm.NotFound(ce.Stderr+ce.Output) {
		return helm.History{}, nil
	}
	if err != nil {
		return nil, err
	}
	return helm.ParseHistory(out)
}

// Rollback shows the release's pods, then returns the release to the
// revision recorded before the deploy (unless helm's --atomic already did)
// and returns the error that says what the release is left with. It runs
// even when the run was cancelled or timed out.
func (t *helmTarget) Rollback(ctx context.Context, cause error) error {
	if t.cluster == nil || t.ctr == nil {
		return cause // nothing ran on the cluster
	}
	cl, ctr, log, r := t.cluster, t.ctr, t.log, t.release
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.Timeout+time.Minute)
	defer cancel()
	fmt.Fprintf(log, "deploy: %s failed: %v\n", t.failed, cause)
	var now helm.History
	if t.stage != helm.StageRecord {
		fmt.Fprintf(log, "deploy: list the pods of release %s\n", r.Name)
		out, err := cl.Exec(rctx, ctr, r.PodsArgs())
		printIndented(log, out)
		if err != nil {
			fmt.Fprintf(log, "  (%v)\n", err)
		}
		out, err = cl.Exec(rctx, ctr, r.HistoryArgs())
		if now, err = readHistory(out, err); err != nil {
			fmt.Fprintf(log, "deploy: read the history of release %s: %v\n", r.Name, err)
		}
	}
	rec := r.OnFailure(t.stage, t.failed, t.before, now)
	for _, u := range rec.Undo {
		fmt.Fprintf(log, "deploy: %s\n", u.Desc)
		out, err := cl.Exec(rctx, ctr, u.Args)
		printIndented(log, out)
		if err != nil {
			return &DeployError{Message: rec.UndoFailed, Cause: err}
		}
	}
	return &DeployError{Message: rec.Message, Cause: cause}
}
