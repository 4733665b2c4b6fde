package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
)

// TestKubernetesBinariesE2E builds the local cluster's binaries on a real
// engine (minutes when cold) and runs them for their versions.
func TestKubernetesBinariesE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the Kubernetes build takes minutes")
	}
	dag := connectE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	dir := t.TempDir()
	if _, err := KubernetesBinaries(dag).Export(ctx, dir); err != nil {
		t.Fatalf("build: %v", Explain(err))
	}
	for bin, want := range map[string]string{
		"kubectl":        versions.Kubernetes,
		"kube-apiserver": versions.Kubernetes,
		"kwok":           versions.Kwok,
	} {
		args := []string{"--version"}
		if bin == "kubectl" {
			args = []string{"version", "--client"}
		}
		out, err := exec.Command(filepath.Join(dir, bin), args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("%s %v = %q, %v; want %s", bin, args, out, err, want)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "kwok-stages.yaml")); err != nil || st.Size() == 0 {
		t.Errorf("kwok-stages.yaml missing: %v", err)
	}
}

// TestLocalClusterE2E starts the local cluster on a real engine, applies a
// Deployment and waits for its rollout (kwok makes the pods Ready).
func TestLocalClusterE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build")
	}
	dag := connectE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	deploy := `apiVersion: apps/v1
kind: Deployment
metadata: {name: hello, labels: {app: hello}}
spec:
  replicas: 2
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers: [{name: hello, image: example.local/hello:v1}]
`
	cl, err := NewLocalCluster(dag, "e2e-"+strconv.FormatInt(time.Now().UnixNano(), 36)).Ensure(ctx)
	if err != nil {
		t.Fatalf("local cluster: %v", err)
	}
	if !cl.Simulated {
		t.Error("the kwok cluster should say it runs no containers")
	}
	ctr := cl.Kubectl().WithNewFile("/deploy.yaml", deploy)
	for _, args := range [][]string{
		{"kubectl", "apply", "--server-side", "--field-manager=onepipe", "-f", "/deploy.yaml"},
		{"kubectl", "rollout", "status", "deployment/hello", "--timeout=120s"},
	} {
		if _, err := cl.Exec(ctx, ctr, args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	out, err := cl.Exec(ctx, ctr, []string{"kubectl", "get", "deployment", "hello", "-o", "jsonpath={.status.readyReplicas}"})
	if err != nil {
		t.Fatal(err)
	}
	if out != "2" {
		t.Errorf("readyReplicas = %q, want 2", out)
	}
	// a failing kubectl call is an error naming the command and what it said
	_, err = cl.Exec(ctx, ctr, []string{"kubectl", "get", "deployment", "missing"})
	if err == nil || !strings.Contains(err.Error(), "kubectl get deployment missing") || !strings.Contains(err.Error(), "NotFound") && !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing deployment: %v", err)
	}
}

// TestLocalClusterKeepsStateE2E starts a local cluster in one engine
// session, runs a Job, ends the session, then starts it again in another:
// the first Job is still there and a new one completes.
func TestLocalClusterKeepsStateE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build")
	}
	connectE2E(t) // skips without an engine
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	name := "e2e-keep-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	job := func(n string) string {
		return `apiVersion: batch/v1
kind: Job
metadata: {name: ` + n + `}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: example.local/migrate:v1}]
`
	}
	session := func(jobName string) string {
		dag, err := dagger.Connect(ctx, dagger.WithLogOutput(os.Stderr))
		if err != nil {
			t.Fatal(err)
		}
		defer dag.Close()
		cl, err := NewLocalCluster(dag, name).Ensure(ctx)
		if err != nil {
			t.Fatalf("local cluster: %v", err)
		}
		ctr := cl.Kubectl().WithNewFile("/job.yaml", job(jobName)).WithNewFile("/deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example.local/web:v1}]
`)
		for _, args := range [][]string{
			{"kubectl", "apply", "--server-side", "-f", "/job.yaml", "-f", "/deploy.yaml"},
			{"kubectl", "wait", "--for=condition=Complete", "job/" + jobName, "--timeout=120s"},
			// after a restart the Deployment's pods are made again and get Ready
			{"kubectl", "rollout", "status", "deployment/web", "--timeout=120s"},
			{"kubectl", "wait", "--for=condition=Available", "deployment/web", "--timeout=120s"},
		} {
			if _, err := cl.Exec(ctx, ctr, args); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
		}
		out, err := cl.Exec(ctx, ctr, []string{"kubectl", "get", "jobs", "-o", "jsonpath={.items[*].metadata.name}"})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := session("first"); got != "first" {
		t.Errorf("first session: jobs = %q", got)
	}
	if got := session("second"); got != "first second" {
		t.Errorf("second session: jobs = %q, want the first job kept and the second complete", got)
	}
}

// TestLocalClusterRealNodeE2E runs the Tornado example's image on the real
// node (containerd, runc, kubelet): its readiness probe passes and the API
// server's proxy reaches the running container.
func TestLocalClusterRealNodeE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build")
	}
	dag := connectE2E(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	_, file, _, _ := goruntime.Caller(0)
	app := New(dag, HostSource(dag, filepath.Join(filepath.Dir(file), "..", "examples", "tornado")), Options{App: "tornado"})
	const ref = "onepipe.local/tornado:e2e"
	lc := NewLocalCluster(dag, "e2e-real-"+strconv.FormatInt(time.Now().UnixNano(), 36)).
		WithRealNode(NodeImage{Ref: ref, Tarball: app.Image(versions.DefaultPlatform).AsTarball()})
	cl, err := lc.Ensure(ctx)
	if err != nil {
		t.Fatalf("real node: %v", err)
	}
	if cl.Simulated {
		t.Error("a real node runs containers: the cluster must not say it is simulated")
	}
	ctr := cl.Kubectl().WithNewFile("/web.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: `+ref+`
          ports: [{containerPort: 8744}]
          readinessProbe: {httpGet: {path: /healthz, port: 8744}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 8744, targetPort: 8744}]
`)
	for _, args := range [][]string{
		{"kubectl", "apply", "--server-side", "-f", "/web.yaml"},
		{"kubectl", "rollout", "status", "deployment/web", "--timeout=180s"},
	} {
		if _, err := cl.Exec(ctx, ctr, args); err != nil {
			out, _ := cl.Exec(ctx, ctr, []string{"kubectl", "describe", "pods"})
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	out, err := cl.Exec(ctx, ctr, []string{"kubectl", "get", "--raw", "/api/v1/namespaces/default/services/web:8744/proxy/healthz"})
	if err != nil || !strings.Contains(out, "ok") {
		t.Errorf("the pod's /healthz through the API server = %q, %v", out, err)
	}
}
