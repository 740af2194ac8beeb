package org.rlcasino.io.arrow;

import java.util.List;

import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/** Field factories for the formats' columns, and the short type names used in schemas and messages. */
final class ArrowColumns {
    static final ArrowType INT32 = new ArrowType.Int(32, true);
    static final ArrowType INT64 = new ArrowType.Int(64, true);
    static final ArrowType FLOAT32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;

    private ArrowColumns() {}

    static Field scalar(String name, ArrowType type, boolean nullable) {
        return new Field(name, new FieldType(nullable, type, null), null);
    }

    /** A non-null list column whose non-null elements are {@code elementType}; the child is named "item" as pyarrow does. */
    static Field list(String name, ArrowType elementType) {
        Field item = new Field("item", new FieldType(false, elementType, null), null);
        return new Field(name, new FieldType(false, ArrowType.List.INSTANCE, null), List.of(item));
    }

    /** A non-null utf8 column stored as int32 indices into dictionary {@code id} (a pandas Categorical). */
    static Field dictionary(String name, long id) {
        DictionaryEncoding encoding = new DictionaryEncoding(id, false, (ArrowType.Int) INT32);
        return new Field(name, new FieldType(false, INT32, encoding), null);
    }

    /** e.g. {@code int64}, {@code list<float32>}, {@code dictionary<utf8, int32>}. */
    static String typeName(Field field, DictionaryProvider dictionaries) {
        DictionaryEncoding encoding = field.getDictionary();
        if (encoding != null) {
            Dictionary dictionary = dictionaries == null ? null : dictionaries.lookup(encoding.getId());
            String values = dictionary == null ? "utf8" : typeName(dictionary.getVectorType());
            return "dictionary<" + values + ", " + typeName(encoding.getIndexType()) + ">";
        }
        if (field.getType() instanceof ArrowType.List || field.getType() instanceof ArrowType.LargeList) {
            String outer = field.getType() instanceof ArrowType.List ? "list" : "large_list";
            String inner = field.getChildren().isEmpty() ? "?" : typeName(field.getChildren().get(0), dictionaries);
            return outer + "<" + inner + ">";
        }
        return typeName(field.getType());
    }

    static String typeName(ArrowType type) {
        if (type instanceof ArrowType.Int i) {
            return (i.getIsSigned() ? "int" : "uint") + i.getBitWidth();
        }
        if (type instanceof ArrowType.FloatingPoint f) {
            return switch (f.getPrecision()) {
                case HALF -> "float16";
                case SINGLE -> "float32";
                case DOUBLE -> "float64";
            };
        }
        if (type instanceof ArrowType.Utf8) {
            return "utf8";
        }
        return type.toString().toLowerCase(java.util.Locale.ROOT);
    }
}
