package cli

import (
	"fmt"

	"github.com/onepipe/onepipe/pipeline"
)

// engineWentAway is the error of a run whose engine session ended under it
// (the engine stopped, or the dagger session process died): one line that
// says so first, then what failed with it (for a deploy, what the cluster is
// left with and the commands to finish by hand) and what was published.
func engineWentAway(err error, report *pipeline.Report) error {
	pushed := "nothing was published"
	switch n := len(report.Published); n {
	case 0:
	case 1:
		pushed = "1 tag was already published"
	default:
		pushed = fmt.Sprintf("%d tags were already published", n)
	}
	return &exitError{code: ExitNoEngine, err: fmt.Errorf("the Dagger engine went away mid-run: %w; %s; run again once the engine is back (finished work stays cached)", err, pushed)}
}
