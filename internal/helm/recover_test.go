package helm

import (
	"strings"
	"testing"
)

func TestOnFailure(t *testing.T) {
	first := Before{}
	at1 := Before{Exists: true, Revision: Revision{Number: 1, Status: StatusDeployed}}
	rev := func(n int, status string) Revision { return Revision{Number: n, Status: status, Chart: "flask-0.1.0"} }
	what := func(step string) string {
		return `deploy of helm release flask to namespace flask-dev failed at "` + step + `": `
	}
	const upgrade, smoke = "helm upgrade --install flask", "run the smoke checks"
	tests := []struct {
		name    string
		stage   Stage
		step    string
		before  Before
		now     History
		undo    string
		message string
	}{
		{"history unreadable", StageRecord, "read the history of release flask", at1, nil, "",
			what("read the history of release flask") + "nothing was changed"},
		{"a first install removed by --atomic", StageUpgrade, upgrade, first, History{}, "",
			what(upgrade) + "the release is not installed (it had no previous revision, and --atomic removes a failed first install)"},
		{"a chart that does not render", StageUpgrade, upgrade, at1, History{rev(1, StatusDeployed)}, "",
			what(upgrade) + "nothing was changed: release flask stays at revision 1"},
		{"an upgrade --atomic rolled back", StageUpgrade, upgrade, at1, History{rev(1, "superseded"), rev(2, StatusFailed), rev(3, StatusDeployed)}, "",
			what(upgrade) + "helm rolled release flask back to revision 1 (--atomic; now revision 3)"},
		{"an upgrade left failed", StageUpgrade, upgrade, at1, History{rev(1, "superseded"), rev(2, StatusFailed)},
			"helm rollback flask 1 --namespace=flask-dev --wait --wait-for-jobs --timeout=5m0s --history-max=10",
			what(upgrade) + "rolled release flask back to revision 1 with helm rollback"},
		{"an upgrade whose outcome is unknown", StageUpgrade, upgrade, at1, nil,
			"helm rollback flask 1 --namespace=flask-dev --wait --wait-for-jobs --timeout=5m0s --history-max=10",
			what(upgrade) + "rolled release flask back to revision 1 with helm rollback"},
		{"a first install left behind", StageUpgrade, upgrade, first, History{rev(1, StatusFailed)},
			"helm uninstall flask --namespace=flask-dev --wait --timeout=5m0s",
			what(upgrade) + "uninstalled release flask, which had no previous revision"},
		{"smoke checks fail after an upgrade", StageVerify, smoke, at1, nil,
			"helm rollback flask 1 --namespace=flask-dev --wait --wait-for-jobs --timeout=5m0s --history-max=10",
			what(smoke) + "rolled release flask back to revision 1 with helm rollback"},
		{"smoke checks fail after a first install", StageVerify, smoke, first, History{rev(1, StatusDeployed)},
			"helm uninstall flask --namespace=flask-dev --wait --timeout=5m0s",
			what(smoke) + "uninstalled release flask, which had no previous revision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := flask.OnFailure(tt.stage, tt.step, tt.before, tt.now)
			var undo []string
			for _, u := range rec.Undo {
				undo = append(undo, strings.Join(u.Args, " "))
			}
			if got := strings.Join(undo, " && "); got != tt.undo {
				t.Errorf("undo:\n got %q\nwant %q", got, tt.undo)
			}
			if rec.Message != tt.message {
				t.Errorf("message:\n got %q\nwant %q", rec.Message, tt.message)
			}
			if tt.undo != "" && !strings.HasSuffix(rec.UndoFailed, "the rollback failed too: release flask in namespace flask-dev may be left on the failed revision; to undo by hand run: "+tt.undo) {
				t.Errorf("undo failed: %q", rec.UndoFailed)
			}
		})
	}
}
