package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"testing"

	"github.com/onepipe/onepipe/pipeline"
)

// A run whose engine session ended says so in one line and exits 3, with
// what failed and what was published.
func TestSessionGoneMidRun(t *testing.T) {
	lost := &url.Error{Op: "Post", URL: "http://dagger/query", Err: io.EOF}
	for _, tt := range []struct {
		name      string
		err       error
		published []pipeline.Published
		want      string
	}{
		{"mid-run", fmt.Errorf("test: %w", lost), nil,
			`onepipe: the Dagger engine went away mid-run: test: Post "http://dagger/query": EOF; nothing was published; run again once the engine is back (finished work stays cached)` + "\n"},
		{"mid-deploy", fmt.Errorf("deploy: %w", &pipeline.DeployError{Message: "deploy to namespace shop-dev failed at \"wait\" and the rollback failed too: to undo by hand run: kubectl rollout undo deployment/shop --namespace=shop-dev --to-revision=1", Cause: lost}),
			[]pipeline.Published{{Ref: "r.io/shop:v1", Digest: "sha256:1"}},
			`onepipe: the Dagger engine went away mid-run: deploy: deploy to namespace shop-dev failed at "wait" and the rollback failed too: to undo by hand run: kubectl rollout undo deployment/shop --namespace=shop-dev --to-revision=1 (Post "http://dagger/query": EOF); 1 tag was already published; run again once the engine is back (finished work stays cached)` + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !pipeline.EngineLost(tt.err) {
				t.Fatalf("EngineLost(%v) = false", tt.err)
			}
			err := engineWentAway(tt.err, &pipeline.Report{Published: tt.published})
			var out bytes.Buffer
			code := reportError(context.Background(), &out, afterProgress(err))
			if code != ExitNoEngine || out.String() != tt.want {
				t.Errorf("exit %d, output\n%q\nwant exit %d, output\n%q", code, out.String(), ExitNoEngine, tt.want)
			}
			if !errors.Is(err, lost) {
				t.Error("the cause is lost from the chain")
			}
		})
	}
}
