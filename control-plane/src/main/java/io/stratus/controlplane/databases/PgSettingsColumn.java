package io.stratus.controlplane.databases;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The operator's Postgres settings of a database, kept as a JSON object in a text column, names sorted. */
@Converter
class PgSettingsColumn implements AttributeConverter<Map<String, String>, String> {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {
    };

    @Override
    public String convertToDatabaseColumn(Map<String, String> settings) {
        return JSON.writeValueAsString(settings == null ? Map.of() : new TreeMap<>(settings));
    }

    @Override
    public Map<String, String> convertToEntityAttribute(String column) {
        return column == null || column.isBlank() ? Map.of() : Map.copyOf(JSON.readValue(column, MAP));
    }
}
