package cli

import (
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/engine"
)

func TestEngineManifests(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want engine.Options // what the output must equal Render of
	}{
		{"defaults", nil, engine.Options{Namespace: "dagger", Name: "dagger-engine", Kind: engine.StatefulSet, Storage: "100Gi"}},
		{"every flag", []string{"-n", "ci", "--name", "builds", "--storage", "1Ti", "--storage-class", "fast", "--kind", "StatefulSet"},
			engine.Options{Namespace: "ci", Name: "builds", Kind: engine.StatefulSet, Storage: "1Ti", StorageClass: "fast"}},
		{"daemonset drops the default storage", []string{"--kind", "daemonset"},
			engine.Options{Namespace: "dagger", Name: "dagger-engine", Kind: engine.DaemonSet}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, append([]string{"engine", "manifests"}, tt.args...)...)
			if r.code != 0 || r.err != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.err)
			}
			want, err := engine.Render(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if r.out != string(want) {
				t.Errorf("stdout is not the manifests of %+v:\n%s", tt.want, r.out)
			}
		})
	}
	// the runner host value is at the top, as the README says
	r := run(t, nil, "engine", "manifests")
	if !strings.Contains(r.out, "#   _EXPERIMENTAL_DAGGER_RUNNER_HOST=kube-pod://dagger-engine-0?namespace=dagger&container=dagger-engine\n") {
		t.Errorf("no runner host comment:\n%s", r.out)
	}
}

func TestEngineManifestsBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "deployment"}, `--kind "deployment": use statefulset or daemonset`},
		{[]string{"--namespace", "CI"}, `--namespace "CI": use up to 63 lowercase letters, digits and dashes`},
		{[]string{"--name", "9lives"}, `--name "9lives": use up to 52 lowercase letters, digits and dashes, starting with a letter`},
		{[]string{"--storage", "100GB"}, `--storage "100GB": give a size such as 100Gi (Ki, Mi, Gi, Ti or k, M, G, T)`},
		{[]string{"--storage", "0Gi"}, `--storage "0Gi": give a size above zero, such as 100Gi: the volume holds the engine's cache`},
		{[]string{"--storage-class", "Fast SSD"}, `--storage-class "Fast SSD": give a StorageClass name (kubectl get storageclass lists them), or leave it out for the cluster's default`},
		{[]string{"--kind", "daemonset", "--storage", "100Gi"}, `--storage "100Gi": a DaemonSet keeps each node's cache on the node (hostPath): drop it, or use a StatefulSet for a volume`},
		{[]string{"--kind", "daemonset", "--storage-class", "fast"}, `--storage-class "fast": a DaemonSet keeps each node's cache on the node (hostPath): drop it, or use a StatefulSet for a volume`},
		{[]string{"extra"}, `unknown command "extra" for "onepipe engine manifests"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := run(t, nil, append([]string{"engine", "manifests"}, tt.args...)...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want %d", r.code, ExitUsage)
			}
			if got := strings.TrimSuffix(r.err, "\n"); got != "onepipe: "+tt.want {
				t.Errorf("stderr\n got %q\nwant %q", got, "onepipe: "+tt.want)
			}
			if r.out != "" {
				t.Errorf("printed manifests on bad input:\n%s", r.out)
			}
		})
	}
}
