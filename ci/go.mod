module github.com/onepipe/onepipe/ci

go 1.26.1

require (
	dagger.io/dagger v0.21.8
	github.com/onepipe/onepipe v0.0.0-00010101000000-000000000000
)

// The module hands over to the pipeline library in the same repository.
replace github.com/onepipe/onepipe => ../
