package pipeline

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/kops"
	"github.com/onepipe/onepipe/internal/kube"
)

// fakeKops stands in for the kops binary: "get" answers as the state store
// would (getExit 0: the cluster exists; 1: getErr), every other command is
// recorded, and "export kubeconfig" writes a kubeconfig naming the commands
// run before it and whether the credentials were mounted.
func fakeKops(getExit int, getErr string) string {
	return `#!/bin/sh
log=/tmp/fake-kops-calls
case "$1 $2" in
"get cluster")
  [ ` + map[int]string{0: "0", 1: "1"}[getExit] + ` = 0 ] && { echo '{"metadata": {"name": "x"}}'; exit 0; }
  echo '` + getErr + `' >&2; exit 1 ;;
"export kubeconfig")
  for a in "$@"; do case "$a" in --kubeconfig=*) out=${a#--kubeconfig=} ;; esac; done
  creds=missing; [ -s "$GOOGLE_APPLICATION_CREDENTIALS" ] && creds=mounted
  echo "$1" >> $log
  printf 'apiVersion: v1\nkind: Config\n# calls: %s\n# credentials: %s\n' "$(tr '\n' ' ' < $log)" "$creds" > "$out" ;;
*) echo "$1" >> $log ;;
esac
`
}

func TestKopsCreatesOnlyAMissingClusterE2E(t *testing.T) {
	dag := connectE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	k := kops.Cluster{Name: "shop.k8s.local", StateStore: "gs://acme-state", Project: "acme", Zones: []string{"europe-west1-b"},
		NodeCount: 2, NodeSize: "e2-standard-2", ControlPlaneSize: "e2-standard-2"}
	kubeconfig := func(getExit int, getErr string) (string, error) {
		p := &kopsProvider{cluster: k, credentials: `{"type": "service_account"}`,
			binary: func(context.Context, *dagger.Client) (*dagger.File, error) {
				return dag.Directory().WithNewFile("kops", fakeKops(getExit, getErr)).File("kops"), nil
			}}
		cl, err := p.Ensure(ctx, Engine{Dag: dag, Log: io.Discard})
		if err != nil {
			return "", err
		}
		// the engine scrubs a secret's value from output: print it changed
		return cl.Exec(ctx, cl.Kubectl(), []string{"sed", `s/.*/\U&/`, kube.KubeconfigPath})
	}

	got, err := kubeconfig(1, `Error: cluster not found "shop.k8s.local"`)
	if err != nil {
		t.Fatalf("missing cluster: %v", err)
	}
	if !strings.Contains(got, "# CALLS: CREATE UPDATE EXPORT") || !strings.Contains(got, "# CREDENTIALS: MOUNTED") {
		t.Errorf("missing cluster: kubeconfig = %q, want create, update, export with the credentials", got)
	}

	got, err = kubeconfig(0, "")
	if err != nil {
		t.Fatalf("existing cluster: %v", err)
	}
	if !strings.Contains(got, "# CALLS: EXPORT ") {
		t.Errorf("existing cluster: kubeconfig = %q, want only export before it (no create, no update)", got)
	}

	_, err = kubeconfig(1, "Error: googleapi: Error 403: permission denied on gs://acme-state")
	if err == nil || !strings.Contains(err.Error(), "kops cluster shop.k8s.local") || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("state store refused: err = %v, want the kops error", err)
	}
}
