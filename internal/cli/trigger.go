package cli

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/azure"
	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/config"
)

func newTriggerCommand(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trigger <system> [flags]",
		Short: "Start a pipeline in another CI, e.g. an Azure DevOps pipeline from GitLab",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newTriggerAzureDevOpsCommand(env))
	return cmd
}

type triggerOptions struct {
	source  string
	devops  config.AzureDevOps
	params  map[string]string
	timeout time.Duration
}

func newTriggerAzureDevOpsCommand(env *Env) *cobra.Command {
	o := &triggerOptions{}
	cmd := &cobra.Command{
		Use:   "azure-devops [flags]",
		Short: "Queue an Azure DevOps pipeline by name, optionally wait for its result",
		Long: `Find a pipeline by name in an Azure DevOps organization and project, queue a
run on a branch with template parameters, and with --wait follow it to the end:
onepipe then exits 0 only when the run succeeded.

Settings come from azure.devops in onepipe.yaml (in --source); flags override
them. Authenticate with a personal access token (--pat env:NAME) or an OAuth
token (--token env:NAME, e.g. env:SYSTEM_ACCESSTOKEN). The branch defaults to
the one being built (from the CI or git).`,
		Example: `  onepipe trigger azure-devops --organization acme --project shop --pipeline deploy-shop \
    --branch main --param environment=dev --pat env:AZURE_DEVOPS_PAT --wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, branch, err := o.resolve(env, cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			p, err := d.FindPipeline(ctx, o.devops.Pipeline)
			if err != nil {
				return err
			}
			run, err := d.RunPipelineWith(ctx, p.ID, azure.RunRequest{Branch: branch, Parameters: o.devops.Parameters, Variables: o.devops.Variables})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Out, "queued run %d of %s on %s: %s\n", run.ID, p.Name, branch, run.WebURL)
			if !o.devops.Wait {
				return nil
			}
			timeout := o.timeout
			if timeout == 0 {
				timeout = o.devops.RunTimeout()
			}
			run, err = d.WaitRun(ctx, p.ID, run.ID, timeout)
			if run.Result != "" {
				fmt.Fprintf(env.Out, "run %d %s: %s\n", run.ID, run.State, run.Result)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.source, "source", "s", ".", "app folder whose onepipe.yaml holds azure.devops settings")
	f.StringVar(&o.devops.URL, "url", "", "Azure DevOps server URL (default https://dev.azure.com)")
	f.StringVar(&o.devops.Organization, "organization", "", "Azure DevOps organization")
	f.StringVar(&o.devops.Project, "project", "", "Azure DevOps project")
	f.StringVar(&o.devops.Pipeline, "pipeline", "", `pipeline name, or \folder\name`)
	f.StringVar(&o.devops.Branch, "branch", "", "branch to run on (default: the branch being built)")
	f.StringToStringVar(&o.params, "param", nil, "template parameter as key=value (repeatable)")
	f.StringVar(&o.devops.PAT, "pat", "", "personal access token as env:NAME or file:PATH")
	f.StringVar(&o.devops.Token, "token", "", "OAuth token as env:NAME or file:PATH, instead of --pat")
	f.BoolVar(&o.devops.Wait, "wait", false, "wait for the run to finish and exit non-zero unless it succeeded")
	f.DurationVar(&o.timeout, "timeout", 0, "longest wait with --wait (default azure.devops.timeout, or 1h)")
	cmd.MarkFlagsMutuallyExclusive("pat", "token")
	return cmd
}

// resolve merges onepipe.yaml with the flags and reads the token.
func (o *triggerOptions) resolve(env *Env, cmd *cobra.Command) (*azure.DevOps, string, error) {
	if cmd.Flags().Changed("url") {
		if _, err := config.SecureURL("--url", o.devops.URL, "https://dev.azure.com"); err != nil {
			return nil, "", usageError(err)
		}
	}
	// the folder holds onepipe.yaml only: the app it triggers is built elsewhere
	cfg, err := config.Load(o.source)
	if err != nil {
		return nil, "", usageError(err)
	}
	d := cfg.Azure.DevOps
	flags := cmd.Flags()
	for name, set := range map[string]func(){
		"url": func() { d.URL = o.devops.URL }, "organization": func() { d.Organization = o.devops.Organization },
		"project": func() { d.Project = o.devops.Project }, "pipeline": func() { d.Pipeline = o.devops.Pipeline },
		"branch": func() { d.Branch = o.devops.Branch }, "wait": func() { d.Wait = o.devops.Wait },
		"pat": func() { d.PAT, d.Token = o.devops.PAT, "" }, "token": func() { d.Token, d.PAT = o.devops.Token, "" },
	} {
		if flags.Changed(name) {
			set()
		}
	}
	if len(o.params) > 0 && d.Parameters == nil {
		d.Parameters = map[string]string{}
	}
	for k, v := range o.params {
		d.Parameters[k] = v
	}
	var missing []string
	for flag, v := range map[string]string{"--organization": d.Organization, "--project": d.Project, "--pipeline": d.Pipeline} {
		if v == "" {
			missing = append(missing, flag)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, "", usagef("trigger azure-devops needs %s (or azure.devops in %s)", strings.Join(missing, ", "), config.FileName)
	}
	if err := (config.Azure{DevOps: d}).Validate(); err != nil {
		return nil, "", usageError(err)
	}
	branch := d.Branch
	if branch == "" {
		ci, _ := cictx.Detect(env.Getenv, o.source)
		if branch = ci.Branch; branch == "" {
			return nil, "", usagef("trigger azure-devops: no branch: pass --branch (the ref being built is not a branch)")
		}
	}
	o.devops = d
	client := &azure.DevOps{BaseURL: d.BaseURL(), Organization: d.Organization, Project: d.Project,
		Warn: func(s string) { fmt.Fprintln(env.Err, "onepipe: warning:", s) }}
	if d.PATExpires != "" {
		client.PATExpires, _ = time.Parse(time.DateOnly, d.PATExpires)
	}
	if d.PAT != "" {
		pat, err := resolveSecret(env, "azure.devops.pat", d.PAT)
		if err != nil {
			return nil, "", err
		}
		client.PAT = azure.PlainSecret(pat)
	} else {
		tok, err := resolveSecret(env, "azure.devops.token", d.Token)
		if err != nil {
			return nil, "", err
		}
		client.Token = azure.StaticToken{Secret: azure.PlainSecret(tok)}
	}
	return client, branch, nil
}
