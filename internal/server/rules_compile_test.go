package server_test

import (
	"errors"
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestEveryRequestConstraintCompiles validates an empty request of every procedure: a constraint in
// the protos that does not compile (a typo in a rule) would otherwise only show when first called.
func TestEveryRequestConstraintCompiles(t *testing.T) {
	t.Parallel()
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

// FuzzRequestValidation decodes arbitrary bytes as every procedure's request and validates it:
// validation answers, it never panics or fails to evaluate a rule.
func FuzzRequestValidation(f *testing.F) {
	f.Add([]byte{0x0a, 0x03, 'a', 'b', 'c'})
	f.Add([]byte{0x08, 0x96, 0x01})
	f.Add([]byte{})
	var inputs []protoreflect.MessageType
	protoregistry.GlobalFiles.RangeFilesByPackage("miasta.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			s := fd.Services().Get(i)
			for j := range s.Methods().Len() {
				if mt, err := protoregistry.GlobalTypes.FindMessageByName(s.Methods().Get(j).Input().FullName()); err == nil {
					inputs = append(inputs, mt)
				}
			}
		}
		return true
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mt := range inputs {
			m := mt.New().Interface()
			if proto.Unmarshal(data, m) != nil {
				continue
			}
			err := protovalidate.Validate(m)
			var compile *protovalidate.CompilationError
			var runtime *protovalidate.RuntimeError
			if errors.As(err, &compile) || errors.As(err, &runtime) {
				t.Fatalf("%s: %v", mt.Descriptor().FullName(), err)
			}
		}
	})
}
