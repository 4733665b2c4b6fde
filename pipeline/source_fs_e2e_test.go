package pipeline

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"
)

// TestEngineFSE2E reads a folder that lives in the engine through EngineFS
// and holds it to fs.FS's contract (testing/fstest).
func TestEngineFSE2E(t *testing.T) {
	dag := connectE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := dag.Directory().
		WithNewFile("onepipe.yaml", "app: shop\n").
		WithNewFile("deploy/k8s/app.yaml", "kind: Deployment\n").
		WithNewFile("deploy/k8s/service.yaml", "kind: Service\n").
		WithNewDirectory("empty")
	fsys := EngineFS(ctx, dir)
	if err := fstest.TestFS(fsys, "onepipe.yaml", "deploy/k8s/app.yaml", "deploy/k8s/service.yaml", "empty"); err != nil {
		t.Fatal(err)
	}
	data, err := fs.ReadFile(fsys, "deploy/k8s/service.yaml")
	if err != nil || string(data) != "kind: Service\n" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	if _, err := fs.Stat(fsys, "missing.txt"); err == nil {
		t.Error("a missing file was found")
	}
}
