package plan

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/onepipe/onepipe/internal/imageref"
	"github.com/onepipe/onepipe/pipeline"
)

// Print writes the plan as aligned "key: value" lines, then the cluster and
// deploy steps: exactly what the run does, and nothing it does not.
func (p *Plan) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	where := p.App.Source.Dir
	if where != "" {
		if rel, err := filepath.Rel(".", p.App.Project.Dir); err == nil && !strings.HasPrefix(rel, "..") {
			where = rel
		} else {
			where = p.App.Project.Dir
		}
	} else {
		where = "the module's source"
	}
	row("app", fmt.Sprintf("%s (%s)", p.App.Config.App, where))
	row("ci", p.CI.Describe())
	version := p.Release.Version
	if version == "" {
		version = "(none)"
	}
	row("version", fmt.Sprintf("%s — %s", version, p.Release.Reason))
	if pipeline.TargetUsesCluster(p.App.Config, p.EnvName) {
		row("environment", fmt.Sprintf("%s (namespace %s)", p.EnvName, p.Env.Namespace))
	} else {
		row("environment", fmt.Sprintf("%s (target %s)", p.EnvName, pipeline.TargetName(p.App.Config, p.EnvName)))
	}
	row("stages", strings.Join(p.StageLines(), ", "))
	row("runtime", p.Pipeline.Runtime)
	if p.Publish != nil {
		refs := make([]string, len(p.Publish.Tags))
		for i, t := range p.Publish.Tags {
			refs[i] = p.Publish.Repository + ":" + t
		}
		row("images", strings.Join(refs, ", "))
		auth := "anonymous"
		if p.Publish.PasswordRef != "" {
			auth = fmt.Sprintf("user %s, password from %s", p.Publish.Username, p.Publish.PasswordRef)
		}
		row("registry", fmt.Sprintf("%s (%s)", imageref.RegistryHost(p.Publish.Repository), auth))
		if p.promotion() != nil {
			row("promote", fmt.Sprintf("when %s:%s holds this commit's image built from this source, tag it (same digest) instead of building", p.Publish.Repository, p.CI.ShortSHA))
		}
	}
	if p.Scan != nil {
		row("scan", p.Scan.Line())
	}
	if p.Cache != nil {
		row("cache", fmt.Sprintf("%s (%s): the test and lint environments and the local cluster's binaries, pulled when present, pushed when not", p.Cache.Repository, p.Cache.Why))
	}
	tw.Flush()
	if p.Deploy != nil {
		fmt.Fprintln(w, "targets:")
		var lines []string
		if p.Deploy.Cluster != nil {
			lines = p.Deploy.Cluster.Plan()
			lines[0] = "cluster: " + lines[0]
			for i := 1; i < len(lines); i++ {
				lines[i] = "  - " + lines[i]
			}
		}
		for _, l := range append(lines, p.Deploy.Target.Plan()...) {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
}

// StageLines names the stages in the order they run.
func (p *Plan) StageLines() []string {
	stages := p.Stages
	if len(stages) == 0 {
		stages = []pipeline.Stage{pipeline.StageTest, pipeline.StageLint, pipeline.StagePack}
	}
	var out []string
	for _, s := range stages {
		switch s {
		case pipeline.StageLint:
			if p.AllowLintFailure {
				out = append(out, "lint (allowed to fail)")
				continue
			}
		case pipeline.StagePack:
			if pk, ok := p.packager(); ok {
				out = append(out, "pack "+pk.PackPlan())
				continue
			}
			ps := make([]string, len(p.Pipeline.Platforms))
			for i, pl := range p.Pipeline.Platforms {
				ps[i] = string(pl)
			}
			out = append(out, "pack "+strings.Join(ps, "+"))
			continue
		}
		out = append(out, string(s))
	}
	if p.Deploy != nil && p.Deploy.Cluster != nil {
		out = append(out, "cluster (beside the checks)")
	}
	if p.Scan != nil {
		out = append(out, "scan")
	}
	if p.Publish != nil {
		out = append(out, "publish")
	}
	if p.Deploy != nil {
		out = append(out, "deploy")
	}
	return out
}
