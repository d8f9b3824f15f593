package server

import (
	"context"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/miasta-otwarte/miasta/internal/plaintext"
)

// multiLine names the request fields that hold running text, where tab, line feed and carriage
// return are allowed; every other string field of every request is one line (see
// internal/plaintext). A new field is one line until it is named here.
var multiLine = map[protoreflect.Name]bool{
	"introduction":  true, // a report's
	"description":   true, // a practice's, a category's, a criterion's
	"partners":      true,
	"target_groups": true,
	"text":          true, // a narrative per criterion, a juror's comment
	"narrative":     true, // a follow-up's
	"comment":       true, // a returned report's
	"reason":        true, // stage changes, conflicts, abstentions, nominations, jury decisions
	"body":          true, // a mail's
	"csv":           true, // an invitation import, checked again cell by cell
}

// multiLineMaps names the string maps whose values hold running text (a map's values are otherwise
// one line, as a score label's texts are).
var multiLineMaps = map[protoreflect.FullName]bool{
	"miasta.v1.SetDistinctionJustificationRequest.text": true, // the jury's justification per language
	"miasta.v1.SetJuryRecommendationsRequest.text":      true, // the jury's recommendations per language
}

// textInterceptor applies plaintext's rule to every string of every request, nested messages,
// lists and maps included, before any handler sees it: a refused character is InvalidArgument naming
// the field (as protovalidate names them, e.g. practices[0].title), and nothing is changed.
type textInterceptor struct{}

func (textInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if m, ok := req.Any().(proto.Message); ok && !req.Spec().IsClient {
			if err := checkText(m.ProtoReflect(), ""); err != nil {
				return nil, err
			}
		}
		return next(ctx, req)
	}
}

func (textInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (textInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(ctx, textConn{conn})
	}
}

// textConn checks every message a streaming call receives.
type textConn struct {
	connect.StreamingHandlerConn
}

func (c textConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	if m, ok := msg.(proto.Message); ok {
		return checkText(m.ProtoReflect(), "")
	}
	return nil
}

func checkText(m protoreflect.Message, path string) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := string(fd.Name())
		if path != "" {
			name = path + "." + name
		}
		switch {
		case fd.IsList():
			l := v.List()
			for i := range l.Len() {
				if err = checkValue(fd, l.Get(i), fmt.Sprintf("%s[%d]", name, i)); err != nil {
					break
				}
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				p := fmt.Sprintf("%s[%q]", name, k.String())
				if fd.MapKey().Kind() == protoreflect.StringKind {
					err = plaintext.Field(p, k.String(), false)
				}
				switch {
				case err != nil:
				case multiLineMaps[fd.FullName()] && fd.MapValue().Kind() == protoreflect.StringKind:
					err = plaintext.Field(p, mv.String(), true)
				default:
					err = checkValue(fd.MapValue(), mv, p)
				}
				return err == nil
			})
		default:
			err = checkValue(fd, v, name)
		}
		return err == nil
	})
	return err
}

func checkValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string) error {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return plaintext.Field(path, v.String(), multiLine[fd.Name()])
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return checkText(v.Message(), path)
	}
	return nil
}
