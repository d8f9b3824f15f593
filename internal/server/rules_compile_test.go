package server_test

import (
	"errors"
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestEveryRequestConstraintCompiles validates an empty request of every procedure: a constraint in
// the protos that does not compile (a typo in a rule) would otherwise only show when first called.
func TestEveryRequestConstraintCompiles(t *testing.T) {
	for proc, m := range procedures(t) {
		mt, err := protoregistry.GlobalTypes.FindMessageByName(m.Input().FullName())
		if err != nil {
			t.Fatalf("%s: %v", proc, err)
		}
		err = protovalidate.Validate(mt.New().Interface())
		var compile *protovalidate.CompilationError
		var runtime *protovalidate.RuntimeError
		if errors.As(err, &compile) || errors.As(err, &runtime) {
			t.Errorf("%s: constraints do not work: %v", proc, err)
		}
	}
}
