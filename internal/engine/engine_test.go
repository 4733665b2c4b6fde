package engine

import (
	"errors"
	"strings"
	"testing"
)

// defaults are the options `onepipe engine manifests` renders without flags.
func defaults() Options {
	return Options{Namespace: DefaultNamespace, Name: DefaultName, Kind: DefaultKind, Storage: DefaultStorage}
}

func TestValidate(t *testing.T) {
	daemon := Options{Namespace: "dagger", Name: "dagger-engine", Kind: DaemonSet}
	tests := []struct {
		name  string
		edit  func(*Options)
		base  Options
		field string // "" when valid
		fix   string
	}{
		{name: "defaults", base: defaults()},
		{name: "daemonset", base: daemon},
		{name: "decimal size", base: defaults(), edit: func(o *Options) { o.Storage = "1.5Ti" }},
		{name: "plain bytes", base: defaults(), edit: func(o *Options) { o.Storage = "500000000000" }},
		{name: "storage class", base: defaults(), edit: func(o *Options) { o.StorageClass = "premium-rwo" }},
		{name: "dotted storage class", base: defaults(), edit: func(o *Options) { o.StorageClass = "ebs.csi.aws.com" }},
		{name: "name of 52", base: defaults(), edit: func(o *Options) { o.Name = "e" + strings.Repeat("x", 51) }},

		{name: "empty namespace", base: defaults(), edit: func(o *Options) { o.Namespace = "" }, field: "namespace", fix: "use up to 63"},
		{name: "uppercase namespace", base: defaults(), edit: func(o *Options) { o.Namespace = "Dagger" }, field: "namespace", fix: "lowercase"},
		{name: "namespace of 64", base: defaults(), edit: func(o *Options) { o.Namespace = strings.Repeat("n", 64) }, field: "namespace", fix: "up to 63"},
		{name: "name starting with a digit", base: defaults(), edit: func(o *Options) { o.Name = "1engine" }, field: "name", fix: "starting with a letter"},
		{name: "name of 53", base: defaults(), edit: func(o *Options) { o.Name = "e" + strings.Repeat("x", 52) }, field: "name", fix: "up to 52"},
		{name: "name with a dot", base: defaults(), edit: func(o *Options) { o.Name = "dagger.engine" }, field: "name", fix: "dashes"},
		{name: "storage without unit letter case", base: defaults(), edit: func(o *Options) { o.Storage = "100gi" }, field: "storage", fix: "such as 100Gi"},
		{name: "storage in words", base: defaults(), edit: func(o *Options) { o.Storage = "lots" }, field: "storage", fix: "such as 100Gi"},
		{name: "empty storage", base: defaults(), edit: func(o *Options) { o.Storage = "" }, field: "storage", fix: "such as 100Gi"},
		{name: "zero storage", base: defaults(), edit: func(o *Options) { o.Storage = "0Gi" }, field: "storage", fix: "above zero"},
		{name: "zero point zero storage", base: defaults(), edit: func(o *Options) { o.Storage = "0.0" }, field: "storage", fix: "above zero"},
		{name: "negative storage", base: defaults(), edit: func(o *Options) { o.Storage = "-5Gi" }, field: "storage", fix: "such as 100Gi"},
		{name: "bad storage class", base: defaults(), edit: func(o *Options) { o.StorageClass = "Fast SSD" }, field: "storage-class", fix: "kubectl get storageclass"},
		{name: "daemonset with storage", base: daemon, edit: func(o *Options) { o.Storage = "100Gi" }, field: "storage", fix: "hostPath"},
		{name: "daemonset with storage class", base: daemon, edit: func(o *Options) { o.StorageClass = "fast" }, field: "storage-class", fix: "hostPath"},
		{name: "unknown kind", base: defaults(), edit: func(o *Options) { o.Kind = "deployment" }, field: "kind", fix: "use statefulset or daemonset"},
		{name: "no kind", base: defaults(), edit: func(o *Options) { o.Kind = "" }, field: "kind", fix: "use statefulset or daemonset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.base
			if tt.edit != nil {
				tt.edit(&o)
			}
			err := o.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate(%+v) = %v, want nil", o, err)
				}
				return
			}
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("Validate(%+v) = %v, want an *InvalidError on %s", o, err, tt.field)
			}
			if inv.Field != tt.field || !strings.Contains(inv.Fix, tt.fix) {
				t.Errorf("Validate(%+v) = %q on %s, want %s and a fix containing %q", o, err, inv.Field, tt.field, tt.fix)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"statefulset": StatefulSet, "DaemonSet": DaemonSet, "StatefulSet": StatefulSet} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseKind("deployment"); err == nil || err.Error() != `kind "deployment": use statefulset or daemonset` {
		t.Errorf("ParseKind(deployment) = %v", err)
	}
}

func TestRunnerHost(t *testing.T) {
	tests := []struct {
		o    Options
		pod  string
		want string
	}{
		{defaults(), "dagger-engine-0", "kube-pod://dagger-engine-0?namespace=dagger&container=dagger-engine"},
		{Options{Namespace: "ci", Name: "builds", Kind: StatefulSet, Storage: "1Ti"}, "builds-0", "kube-pod://builds-0?namespace=ci&container=dagger-engine"},
		{Options{Namespace: "ci", Name: "builds", Kind: DaemonSet}, "", "kube-pod://X?namespace=ci&container=dagger-engine"},
	}
	for _, tt := range tests {
		if got := tt.o.Pod(); got != tt.pod {
			t.Errorf("%+v: Pod() = %q, want %q", tt.o, got, tt.pod)
		}
		pod := tt.pod
		if pod == "" {
			pod = "X"
		}
		if got := tt.o.RunnerHost(pod); got != tt.want {
			t.Errorf("%+v: RunnerHost(%q) = %q, want %q", tt.o, pod, got, tt.want)
		}
	}
}
