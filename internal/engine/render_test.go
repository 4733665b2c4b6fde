package engine

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/onepipe/onepipe/internal/versions"
)

// update rewrites testdata/*.golden from Render:
//
//	go test ./internal/engine -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current rendering")

var renderCases = []struct {
	golden string
	o      Options
}{
	{"statefulset-defaults", defaults()},
	{"statefulset-custom", Options{Namespace: "ci-engines", Name: "builds", Kind: StatefulSet, Storage: "500Gi", StorageClass: "premium-rwo"}},
	{"daemonset", Options{Namespace: "dagger", Name: "dagger-engine", Kind: DaemonSet}},
}

// TestRenderGolden compares Render's output with testdata/NAME.golden.
func TestRenderGolden(t *testing.T) {
	for _, tt := range renderCases {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := Render(tt.o)
			if err != nil {
				t.Fatalf("Render(%+v): %v", tt.o, err)
			}
			golden := filepath.Join("testdata", tt.golden+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/engine -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("rendering differs from %s (run go test ./internal/engine -update after checking the diff):\n%s", golden, got)
			}
		})
	}
}

// docs splits rendered manifests into decoded objects, keyed by kind.
func docs(t *testing.T, rendered []byte) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, d := range strings.Split(string(rendered), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(d), &obj); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, d)
		}
		kind, _ := obj["kind"].(string)
		if _, dup := out[kind]; dup {
			t.Fatalf("two %s objects", kind)
		}
		out[kind] = obj
	}
	return out
}

// at walks obj along path: map keys, and "0" for a list's first item.
func at(t *testing.T, obj any, path ...string) any {
	t.Helper()
	for _, p := range path {
		switch v := obj.(type) {
		case map[string]any:
			obj = v[p]
		case []any:
			if p != "0" || len(v) == 0 {
				t.Fatalf("at %v: %s of a list of %d", path, p, len(v))
			}
			obj = v[0]
		default:
			t.Fatalf("at %v: nothing at %s", path, p)
		}
	}
	return obj
}

// TestRenderObjects checks what the engine needs in each workload, beyond
// the golden files: the pinned image, a privileged container, a readiness
// probe, state at /var/lib/dagger on a volume that outlives the pod, a grace
// period, resource requests, and the runner host comment at the top.
func TestRenderObjects(t *testing.T) {
	for _, tt := range renderCases {
		t.Run(tt.golden, func(t *testing.T) {
			rendered, err := Render(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			objs := docs(t, rendered)
			workload := map[Kind]string{StatefulSet: "StatefulSet", DaemonSet: "DaemonSet"}[tt.o.Kind]
			for _, kind := range []string{"Namespace", "Role", workload} {
				if objs[kind] == nil {
					t.Fatalf("no %s in:\n%s", kind, rendered)
				}
			}
			if len(objs) != 3 {
				t.Errorf("%d objects, want Namespace, Role and %s", len(objs), workload)
			}
			if got := at(t, objs["Namespace"], "metadata", "labels", "pod-security.kubernetes.io/enforce"); got != "privileged" {
				t.Errorf("namespace pod security = %v: the engine's privileged pod would be refused", got)
			}
			w := objs[workload]
			if ns := at(t, w, "metadata", "namespace"); ns != tt.o.Namespace {
				t.Errorf("%s in namespace %v, want %s", workload, ns, tt.o.Namespace)
			}
			spec := at(t, w, "spec", "template", "spec")
			c := at(t, spec, "containers", "0")
			checks := map[string]struct{ got, want any }{
				"image":       {at(t, c, "image"), versions.DaggerEngineImage},
				"container":   {at(t, c, "name"), ContainerName},
				"privileged":  {at(t, c, "securityContext", "privileged"), true},
				"probe":       {strings.Join(toStrings(at(t, c, "readinessProbe", "exec", "command")), " "), "dagger core version"},
				"mount":       {at(t, c, "volumeMounts", "0", "mountPath"), "/var/lib/dagger"},
				"cpu request": {at(t, c, "resources", "requests", "cpu") != nil, true},
				"grace":       {at(t, spec, "terminationGracePeriodSeconds"), float64(300)},
				"selector":    {at(t, w, "spec", "selector", "matchLabels", "app.kubernetes.io/name"), tt.o.Name},
				"pod labels":  {at(t, w, "spec", "template", "metadata", "labels", "app.kubernetes.io/name"), tt.o.Name},
			}
			switch tt.o.Kind {
			case StatefulSet:
				checks["replicas"] = struct{ got, want any }{at(t, w, "spec", "replicas"), float64(1)}
				checks["claim"] = struct{ got, want any }{at(t, w, "spec", "volumeClaimTemplates", "0", "metadata", "name"), at(t, c, "volumeMounts", "0", "name")}
				checks["size"] = struct{ got, want any }{at(t, w, "spec", "volumeClaimTemplates", "0", "spec", "resources", "requests", "storage"), tt.o.Storage}
				// claim templates cannot change once applied: nothing in
				// them may follow the engine's version
				checks["claim labels"] = struct{ got, want any }{at(t, w, "spec", "volumeClaimTemplates", "0", "metadata", "labels", "app.kubernetes.io/version"), nil}
				checks["retained"] = struct{ got, want any }{at(t, w, "spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"), "Retain"}
				class := at(t, w, "spec", "volumeClaimTemplates", "0", "spec", "storageClassName")
				if tt.o.StorageClass == "" {
					checks["class"] = struct{ got, want any }{class, nil}
				} else {
					checks["class"] = struct{ got, want any }{class, tt.o.StorageClass}
				}
			case DaemonSet:
				checks["hostPath"] = struct{ got, want any }{at(t, spec, "volumes", "0", "hostPath", "path"), "/var/lib/onepipe-engine/" + tt.o.Namespace + "/" + tt.o.Name}
				checks["volume"] = struct{ got, want any }{at(t, spec, "volumes", "0", "name"), at(t, c, "volumeMounts", "0", "name")}
			}
			for what, ch := range checks {
				if ch.got != ch.want {
					t.Errorf("%s: %v, want %v", what, ch.got, ch.want)
				}
			}

			// The comment at the top names the runner host jobs use.
			host := "_EXPERIMENTAL_DAGGER_RUNNER_HOST=" + tt.o.RunnerHost(tt.o.Pod())
			if tt.o.Kind == DaemonSet {
				host = "_EXPERIMENTAL_DAGGER_RUNNER_HOST=" + tt.o.RunnerHost("POD")
			}
			head, _, _ := strings.Cut(string(rendered), "\napiVersion:")
			head += "\n"
			if !strings.Contains(head, "#   "+host+"\n") {
				t.Errorf("the header does not give %s:\n%s", host, head)
			}
			for _, l := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") {
				if !strings.HasPrefix(l, "#") {
					t.Errorf("header line %q is not a comment", l)
				}
			}
		})
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, s := range l {
		out[i], _ = s.(string)
	}
	return out
}

// TestRenderRefusesBadOptions: Render validates before it renders.
func TestRenderRefusesBadOptions(t *testing.T) {
	o := defaults()
	o.Storage = "0"
	if out, err := Render(o); err == nil || out != nil {
		t.Errorf("Render(storage 0) = %d bytes, %v; want an error", len(out), err)
	}
}
