{#- A warehouse table or view as the input (var transactions_relation), through the same contract, mapping and
    quarantine as a file. The relation is one "file" named after it: it tells neither its size nor when it
    changed, so every run rereads it (rfm_relation_listed), and a relation has no row order of its own, so its
    rows are numbered in an order stated here, the same on every engine. -#}

{#- What the input is, for sentences: 'relation' or 'file'. -#}
{% macro rfm_input_kind() -%}
    {{ return('relation' if rfm_transactions_relation() is not none else 'file') }}
{%- endmacro %}


{#- True when the input is a relation named in plain text (schema.table), which _staging__sources.yml declares
    as the source rfm_input.transactions; false for a file, and for a "{{ ref() }}" or "{{ source() }}" var,
    which dbt renders quoted and which is its own lineage. -#}
{% macro rfm_input_is_declared() -%}
    {%- set relation = rfm_transactions_relation() -%}
    {{ return(relation is not none and '"' not in relation and '`' not in relation) }}
{%- endmacro %}


{#- The relation as a scan (for describing its columns and counting its rows), with its name as the file's. -#}
{% macro default__rfm_relation_scan(relation) -%}
    (select *, {{ rfm_string_literal(relation) }} as _rfm_source_file from {{ relation }})
{%- endmacro %}


{#- Spark: the relation itself (DESCRIBE and count read it as it is). -#}
{% macro spark__rfm_relation_scan(relation) -%}
    {{ relation }}
{%- endmacro %}


{#- The contract's columns of the relation, numbered. "The earliest copy" of a duplicate transaction_id is the
    first in the order of transaction_at, then customer_id and the other contract columns as the relation
    holds them (nulls first): rows that tie on all of them are the same transaction, so which one keeps the
    lower number changes nothing. One sort of the whole relation (on Spark, in one task). -#}
{% macro rfm_read_relation(relation, columns) -%}
    {%- set order = ['transaction_at', 'customer_id'] + (columns.keys() | reject('in', ['transaction_at', 'customer_id']) | list) -%}
    select
        source_row_number,
        {{ rfm_string_literal(relation) }} as source_file,
        source_row_number as read_position,
        {%- for name in columns %}
        {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            row_number() over (
                order by
                    {%- for name in order %}
                    {{ name }} asc nulls first{{ ',' if not loop.last }}
                    {%- endfor %}
            ) as source_row_number,
            *
        from (
            select
                {{- rfm_contract_column_list(columns) }}
            from {{ relation }}
        ) as contract
    ) as numbered
{%- endmacro %}


{#- Fails in one sentence when the target has no such table or view (names compared as the engine folds them:
    DuckDB and Spark both take unquoted names case-insensitively). -#}
{% macro rfm_check_input_relation() -%}
    {%- set relation = rfm_transactions_relation() -%}
    {#- A rendered ref() or source() is quoted: its parts are the names as the engine holds them. -#}
    {%- set parts = modules.re.sub('["`]', '', relation if '"' in relation or '`' in relation else relation.lower()).split('.') -%}
    {%- set database = parts[0] if parts | length == 3 else (none if target.type == 'spark' else target.database) -%}
    {%- if adapter.get_relation(database=database, schema=parts[-2], identifier=parts[-1]) is none -%}
        {{ exceptions.raise_compiler_error(
            "The transactions relation '" ~ relation ~ "' does not exist, or this target cannot read it: check"
            ~ " var transactions_relation (schema.table or database.schema.table)."
        ) }}
    {%- endif -%}
{%- endmacro %}


{#- The load plan's listing for a relation: one "file", modified at this run's start, so every run rereads it
    and staging is rebuilt in full. -#}
{% macro rfm_relation_listed() -%}
    select
        {{ rfm_string_literal(rfm_transactions_relation()) }} as source_file,
        cast(null as bigint) as file_size_bytes,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as file_modified_at
{%- endmacro %}
