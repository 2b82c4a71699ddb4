{#- A churn band's place in order of risk (low 1, medium 2, high 3), so that "the band went up" is a comparison
    of numbers; one definition for every state compared. -#}
{% macro rfm_churn_band_rank(churn_band) -%}
    case {{ churn_band }} when 'high' then 3 when 'medium' then 2 when 'low' then 1 end
{%- endmacro %}
