package kube

import (
	"strings"
	"testing"
)

func stepAt(p Plan, desc string) Step {
	for _, s := range append(append([]Step(nil), p.Record...), p.Steps...) {
		if strings.HasPrefix(s.Desc, desc) {
			return s
		}
	}
	panic("no step " + desc)
}

func TestOnFailure(t *testing.T) {
	p := flaskPlan(t)
	had := map[string]Revision{"deployment/flask": {Exists: true, Number: "3"}}
	const at = `deploy to namespace flask-dev failed at `
	tests := []struct {
		name     string
		step     string
		prev     map[string]Revision
		diagnose []string
		undo     []string
		msg      string
	}{
		{"record", "record the current revision", had, nil, nil,
			at + `"record the current revision of deployment/flask": nothing was changed`},
		{"namespace", "apply namespace", had, nil, nil,
			at + `"apply namespace flask-dev": nothing was changed`},
		{"dry run", "check every manifest", had, nil, nil,
			at + `"check every manifest with a server-side dry run": nothing was changed apart from namespace flask-dev`},
		{"database", "wait for database", had,
			[]string{"kubectl get pods --namespace=flask-dev -o=wide", "kubectl logs statefulset/flask-postgres --namespace=flask-dev --all-containers --tail=100"}, nil,
			at + `"wait for database statefulset/flask-postgres to be ready": the app was not changed (deployment/flask stays at revision 3); the config, secret and database objects applied before this step stay`},
		{"migration, first deploy", "wait for migration", nil,
			[]string{"kubectl get pods --namespace=flask-dev -o=wide", "kubectl logs job/flask-migrate-513ea507 --namespace=flask-dev --all-containers --tail=100"}, nil,
			at + `"wait for migration job/flask-migrate-513ea507 to complete": the app was not changed (deployment/flask was not created); the config, secret and database objects applied before this step stay`},
		{"rollout", "wait for the rollout of deployment/flask", had,
			[]string{"kubectl get pods --namespace=flask-dev --selector=app.kubernetes.io/component=app,app.kubernetes.io/name=flask -o=wide", "kubectl logs deployment/flask --namespace=flask-dev --all-containers --tail=50"},
			[]string{"kubectl rollout undo deployment/flask --namespace=flask-dev --to-revision=3", "kubectl rollout status deployment/flask --namespace=flask-dev --timeout=5m0s"},
			at + `"wait for the rollout of deployment/flask": rolled deployment/flask back to revision 3`},
		{"smoke", "run the smoke checks", had, nil,
			[]string{"kubectl rollout undo deployment/flask --namespace=flask-dev --to-revision=3", "kubectl rollout status deployment/flask --namespace=flask-dev --timeout=5m0s"},
			at + `"run the smoke checks": rolled deployment/flask back to revision 3; the Services and Ingresses of this release stay applied`},
		{"smoke, first deploy", "run the smoke checks", map[string]Revision{}, nil,
			[]string{"kubectl delete deployment/flask --namespace=flask-dev --ignore-not-found --wait=false"},
			at + `"run the smoke checks": deleted deployment/flask, which had no previous revision; the Services and Ingresses of this release stay applied`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := p.OnFailure(stepAt(p, tt.step), tt.prev)
			if r.Message != tt.msg {
				t.Errorf("message\n got %s\nwant %s", r.Message, tt.msg)
			}
			if tt.diagnose != nil && joinSteps(r.Diagnose) != strings.Join(tt.diagnose, "\n") {
				t.Errorf("diagnose\n got %s\nwant %s", joinSteps(r.Diagnose), strings.Join(tt.diagnose, "\n"))
			}
			if joinSteps(r.Undo) != strings.Join(tt.undo, "\n") {
				t.Errorf("undo\n got %s\nwant %s", joinSteps(r.Undo), strings.Join(tt.undo, "\n"))
			}
			for _, s := range r.Diagnose {
				if !s.Optional {
					t.Errorf("diagnose step %q is not optional", s.Desc)
				}
			}
			if len(r.Undo) > 0 && !strings.Contains(r.UndoFailed, "half-applied") {
				t.Errorf("UndoFailed = %q", r.UndoFailed)
			}
		})
	}
	r := p.OnFailure(stepAt(p, "run the smoke checks"), had)
	if want := "to undo by hand run: kubectl rollout undo deployment/flask --namespace=flask-dev --to-revision=3"; !strings.HasSuffix(r.UndoFailed, want) {
		t.Errorf("UndoFailed = %q", r.UndoFailed)
	}
}

func TestOnFailureOtherWorkloads(t *testing.T) {
	p := Plan{Namespace: "ns", Others: []Workload{{Kind: "StatefulSet", Name: "cache"}}}
	r := p.OnFailure(Step{Stage: StageApp, Desc: "wait"}, nil)
	if want := `deploy to namespace ns failed at "wait": no app Deployment to roll back; statefulset/cache keeps the new version (onepipe rolls back Deployments only)`; r.Message != want {
		t.Errorf("message\n got %s\nwant %s", r.Message, want)
	}
}

func joinSteps(steps []Step) string {
	var out []string
	for _, s := range steps {
		out = append(out, strings.Join(s.Args, " "))
	}
	return strings.Join(out, "\n")
}

func TestParseRevision(t *testing.T) {
	tests := []struct {
		in   string
		want Revision
		err  bool
	}{
		{"", Revision{}, false},
		{"  \n", Revision{}, false},
		{"7\n", Revision{Exists: true, Number: "7"}, false},
		{"Error from server", Revision{}, true},
		{"-1", Revision{}, true},
	}
	for _, tt := range tests {
		got, err := ParseRevision(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseRevision(%q) = %+v, %v", tt.in, got, err)
		}
	}
}

func TestJobDone(t *testing.T) {
	check := JobDone("m-1")
	tests := []struct {
		out  string
		done bool
		err  string
	}{
		{"", false, ""},
		{"SuccessCriteriaMet", false, ""},
		{"SuccessCriteriaMet Complete", true, ""},
		{"Complete\n", true, ""},
		{"FailureTarget", false, "migration job/m-1 failed"},
		{"FailureTarget Failed", false, "migration job/m-1 failed"},
		{"Suspended", false, ""},
	}
	for _, tt := range tests {
		done, err := check(tt.out)
		if done != tt.done || errString(err) != tt.err {
			t.Errorf("JobDone(%q) = %v, %v; want %v, %q", tt.out, done, err, tt.done, tt.err)
		}
	}
}

func TestAddress(t *testing.T) {
	for in, want := range map[string]string{"": "", " ": "", "10.0.0.7 ": "10.0.0.7", " lb.example.com": "lb.example.com", "1.2.3.4 5.6.7.8 a.b": "1.2.3.4"} {
		if got := Address(in); got != want {
			t.Errorf("Address(%q) = %q, want %q", in, got, want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
