package cictx

import (
	"strings"
)

// fromGitLab reads GitLab CI's predefined variables.
func fromGitLab(getenv func(string) string) Context {
	c := Context{
		Provider:   GitLab,
		SHA:        getenv(shaVars[GitLab]),
		Tag:        getenv("CI_COMMIT_TAG"),
		Branch:     getenv("CI_COMMIT_BRANCH"),
		PipelineID: getenv("CI_PIPELINE_ID"),
		ProjectURL: getenv("CI_PROJECT_URL"),
		CommitTime: parseTime(getenv("CI_COMMIT_TIMESTAMP")),

		Registry:      getenv("CI_REGISTRY"),
		RegistryImage: getenv("CI_REGISTRY_IMAGE"),
		RegistryUser:  getenv("CI_REGISTRY_USER"),
	}
	if c.Registry != "" {
		c.RegistryPasswordEnv = "CI_REGISTRY_PASSWORD"
	}
	if c.Branch == "" && c.Tag == "" {
		// merge request pipelines have no CI_COMMIT_BRANCH
		c.Branch = getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
		if c.Branch == "" {
			c.Branch = getenv("CI_COMMIT_REF_NAME")
		}
	}
	switch {
	case c.Tag != "":
		c.Ref = "refs/tags/" + c.Tag
	case getenv("CI_MERGE_REQUEST_IID") != "":
		c.Ref = "refs/merge-requests/" + getenv("CI_MERGE_REQUEST_IID") + "/head"
	case c.Branch != "":
		c.Ref = "refs/heads/" + c.Branch
	}
	c.ShortSHA = short(c.SHA) // CI_COMMIT_SHORT_SHA is the same 8 characters
	return c
}

// fromAzure reads Azure Pipelines' predefined variables (as environment
// variables: upper case, dots turned into underscores).
func fromAzure(getenv func(string) string) Context {
	c := Context{
		Provider:   Azure,
		SHA:        getenv(shaVars[Azure]),
		Ref:        getenv("BUILD_SOURCEBRANCH"),
		PipelineID: getenv("BUILD_BUILDID"),
	}
	c.Branch, c.Tag = ParseRef(c.Ref)
	if strings.HasPrefix(c.Ref, "refs/pull/") {
		c.Branch = strings.TrimPrefix(getenv("SYSTEM_PULLREQUEST_SOURCEBRANCH"), "refs/heads/")
	}
	if uri := getenv("BUILD_REPOSITORY_URI"); uri != "" {
		c.ProjectURL = uri
	} else if coll, proj := getenv("SYSTEM_COLLECTIONURI"), getenv("SYSTEM_TEAMPROJECT"); coll != "" && proj != "" {
		c.ProjectURL = strings.TrimRight(coll, "/") + "/" + proj
	}
	c.ShortSHA = short(c.SHA)
	return c
}

// fromGitHub reads GitHub Actions' default environment variables.
func fromGitHub(getenv func(string) string) Context {
	c := Context{
		Provider:   GitHub,
		SHA:        getenv(shaVars[GitHub]),
		Ref:        getenv("GITHUB_REF"),
		PipelineID: getenv("GITHUB_RUN_ID"),
	}
	c.Branch, c.Tag = ParseRef(c.Ref)
	if head := getenv("GITHUB_HEAD_REF"); head != "" {
		c.Branch = head // pull requests: GITHUB_REF is refs/pull/N/merge
	}
	if server, repo := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"); server != "" && repo != "" {
		c.ProjectURL = strings.TrimRight(server, "/") + "/" + repo
	}
	c.ShortSHA = short(c.SHA)
	return c
}
