package kube

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestSecretManifest(t *testing.T) {
	b, err := SecretManifest("shop-dev", "shop-secrets", map[string]string{"onepipe.dev/environment": "dev"},
		map[string]string{"SECRET_KEY": "s3cr3t: with # chars\n", "POSTGRES_PASSWORD": "pw"})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		APIVersion, Kind, Type string
		Metadata               struct {
			Name, Namespace string
			Labels          map[string]string
		}
		StringData map[string]string `json:"stringData"`
	}
	if err := yaml.UnmarshalStrict(b, &got); err != nil {
		t.Fatalf("%v:\n%s", err, b)
	}
	if got.APIVersion != "v1" || got.Kind != "Secret" || got.Type != "Opaque" || got.Metadata.Name != "shop-secrets" ||
		got.Metadata.Namespace != "shop-dev" || got.Metadata.Labels["onepipe.dev/environment"] != "dev" {
		t.Errorf("header: %+v", got)
	}
	if got.StringData["SECRET_KEY"] != "s3cr3t: with # chars\n" || got.StringData["POSTGRES_PASSWORD"] != "pw" || len(got.StringData) != 2 {
		t.Errorf("data round trip: %q", got.StringData)
	}
	if _, err := SecretManifest("ns", "s", nil, nil); err == nil || err.Error() != "secret s: no data" {
		t.Errorf("no data: %v", err)
	}
	_, err = SecretManifest("ns", "s", nil, map[string]string{"BAD KEY": "hunter2"})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), `key "BAD KEY"`) {
		t.Errorf("bad key: %v", err)
	}
}

func TestKubectlArgs(t *testing.T) {
	tests := []struct {
		got  []string
		want string
	}{
		{ApplyArgs("ns", "a.yaml", "b.yaml"), "kubectl apply --server-side --field-manager=onepipe --force-conflicts --namespace=ns -f a.yaml -f b.yaml"},
		{DryRunArgs("ns", "a.yaml"), "kubectl apply --dry-run=server --server-side --field-manager=onepipe --force-conflicts --namespace=ns -f a.yaml"},
		{LogsArgs("ns", "Job", "m", 20), "kubectl logs job/m --namespace=ns --all-containers --tail=20"},
		{PodsArgs("ns", map[string]string{"b": "2", "a": "1"}), "kubectl get pods --namespace=ns --selector=a=1,b=2 -o=wide"},
		{UndoArgs("ns", "web", "4"), "kubectl rollout undo deployment/web --namespace=ns --to-revision=4"},
		{DeleteArgs("ns", "Deployment", "web"), "kubectl delete deployment/web --namespace=ns --ignore-not-found --wait=false"},
		{RolloutStatusArgs("ns", "DaemonSet", "agent", 90e9), "kubectl rollout status daemonset/agent --namespace=ns --timeout=1m30s"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.got, " "); got != tt.want {
			t.Errorf("\n got %s\nwant %s", got, tt.want)
		}
	}
	// DryRunArgs must not write into ApplyArgs' backing array.
	a := ApplyArgs("ns", "x")
	_ = DryRunArgs("ns", "x")
	if a[2] != "--server-side" {
		t.Errorf("ApplyArgs changed: %v", a)
	}
}
